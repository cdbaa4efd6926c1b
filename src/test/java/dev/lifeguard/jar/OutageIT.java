package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
import dev.lifeguard.local.MotoServer;
import dev.lifeguard.local.SwitchableProxy;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * A dependency that stops answering for 15 s, longer than a message's visibility, while hooks are
 * in the middle of their drains: the jar stays up, backs off, logs the outage in a few lines, resumes by itself, and completes every
 * hook exactly once without running a step twice. Each stand-in sits behind a TCP proxy the test
 * switches off ({@code -Doutage.seconds=N} sets another length: longer for a closer look).
 */
class OutageIT {
    private static final Path LOGS = Path.of("target", "jar-it");
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("outage.seconds", 15));
    private static final int HOOKS = 8;
    private static final int ARRIVING = 4;

    private static LocalAws aws;
    private static LocalDynamoDbServer dynamoDb;
    private static FleetStandIn fleet;
    private static DynamoDbClient tableClient;
    private static MotoServer moto;
    private static Route53Client route53;
    private static final Map<String, SwitchableProxy> PROXIES = new HashMap<>();
    private static final Map<String, String> BODIES = new HashMap<>();

    @BeforeAll
    static void standIns() throws IOException {
        Files.createDirectories(LOGS);
        aws = LocalAws.shared();
        dynamoDb = LocalDynamoDbServer.start();
        tableClient = DynamoDbClient.builder().endpointOverride(dynamoDb.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"))).build();
        // Real Auto Scaling refuses a second completion of one action: so does the stand-in here.
        fleet = FleetStandIn.start().rejectRepeatedCompletions(true);
        PROXIES.put("sqs", new SwitchableProxy(URI.create(aws.sqsEndpoint())));
        PROXIES.put("dynamodb", new SwitchableProxy(dynamoDb.endpoint()));
        for (String service : new String[] {"autoscaling", "ssm", "ec2"}) {
            PROXIES.put(service, new SwitchableProxy(fleet.endpoint()));
        }
        // Route53 is moto's: each hook's record is deleted by route53-cleanup after its drain.
        try {
            moto = MotoServer.start(LOGS.resolve("outage-route53-moto.log"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        route53 = Route53Client.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"))).build();
        PROXIES.put("route53", new SwitchableProxy(URI.create(moto.endpoint())));
    }

    @AfterAll
    static void stop() {
        PROXIES.values().forEach(SwitchableProxy::close);
        if (fleet != null) {
            fleet.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @ParameterizedTest(name = "{0} down while hooks drain and more arrive")
    @ValueSource(strings = {"sqs", "dynamodb", "autoscaling", "ssm", "ec2", "route53"})
    void anOutageIsSurvivedWithNothingLostOrDoubled(String service) throws Exception {
        String queue = "outage-" + service + "-" + UUID.randomUUID().toString().substring(0, 6);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        fleet.commandDuration(Duration.ofSeconds(10));
        // The drain-route53 group also deletes each instance's record once its drain has ended:
        // with Route53 cut just after the drains began, every cleanup meets the outage.
        String zoneName = "o" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
        String zone = createZone(zoneName);
        String profiles = profiles(service, zone, zoneName);
        List<LifecycleEvent> hooks = hooks(service, HOOKS);
        List<LifecycleEvent> arriving = hooks(service, ARRIVING);
        if (service.equals("route53")) {
            hooks.forEach(hook -> record(zone, zoneName, hook, ChangeAction.CREATE));
            arriving.forEach(hook -> record(zone, zoneName, hook, ChangeAction.CREATE));
        }
        send(queueUrl, hooks);
        String log = "outage-" + service + ".log";
        Process lifeguard = startJar(queue, profiles, log);
        try {
            // In the middle of the drains: every command sent and its id on record with the claim.
            Fixtures.awaitUntil("every drain sent and recorded", Duration.ofSeconds(60),
                    () -> hooks.stream().allMatch(hook -> fleet.commandsFor(hook.instanceId()).size() == 1 && waiting(queue, hook)));

            long linesBefore = lines(log);
            PROXIES.get(service).down();
            // More hooks arrive while it is down: they wait, or fail and come back, until it is up.
            send(queueUrl, arriving);
            Thread.sleep(OUTAGE.toMillis());
            long linesDuring = lines(log) - linesBefore;
            PROXIES.get(service).up();
            long outageEnded = System.currentTimeMillis();
            assertTrue(lifeguard.isAlive(), "the service stays up");
            hooks.addAll(arriving);

            for (LifecycleEvent hook : hooks) {
                Fixtures.awaitUntil("completion of " + hook.describe(), Duration.ofSeconds(150),
                        () -> fleet.completions(hook.actionToken()).stream().anyMatch(FleetStandIn.Completion::accepted));
            }
            Thread.sleep(2_000); // a late second completion would show now
            for (LifecycleEvent hook : arriving) {
                // Each needs the missing dependency: completed before it was back means given up on.
                assertTrue(fleet.completions(hook.actionToken()).stream().allMatch(c -> c.atMillis() >= outageEnded),
                        () -> hook.describe() + " was completed during the outage: " + fleet.completions(hook.actionToken()));
            }
            for (LifecycleEvent hook : hooks) {
                assertEquals(1, fleet.completions(hook.actionToken()).stream().filter(FleetStandIn.Completion::accepted).count(),
                        () -> "accepted completions of " + hook.describe());
                assertEquals(1, fleet.commandsFor(hook.instanceId()).size(), "the drain was sent once");
                assertEquals(1, FakeTools.callsAbout(hook.groupName() + "-" + hook.instanceId()).size(), "the salt state ran once");
                if (service.equals("route53")) {
                    assertEquals(List.of(), records(zone, hook), "the instance's record is deleted");
                }
            }
            System.out.printf("%s down for %d s: %d log line(s) meanwhile%n", service, OUTAGE.toSeconds(), linesDuring);
            assertTrue(linesDuring < 100, service + " outage wrote " + linesDuring + " log lines");
        } finally {
            PROXIES.get(service).up();
            lifeguard.destroy();
            lifeguard.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static List<LifecycleEvent> hooks(String service, int count) {
        List<LifecycleEvent> hooks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String instanceId = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
            String body = Fixtures.fresh(Fixtures.read("hook-terminating.json"))
                    .replace("exampleAutoScalingGroup", "drain-" + service).replace("i-883a3a42", instanceId);
            LifecycleEvent hook = Fixtures.parse(body);
            BODIES.put(hook.idempotencyKey(), body);
            hooks.add(hook);
        }
        return hooks;
    }

    private static void send(String queueUrl, List<LifecycleEvent> hooks) {
        hooks.forEach(hook -> aws.sqs().sendMessage(r -> r.queueUrl(queueUrl)
                .messageBody(fleet.actions().sent(BODIES.get(hook.idempotencyKey())))));
    }

    private static Process startJar(String queue, String profiles, String logName) throws IOException {
        Map<String, String> settings = Jar.settings(queue, profiles,
                PROXIES.get("sqs").endpoint(), PROXIES.get("dynamodb").endpoint(), PROXIES.get("autoscaling").endpoint(),
                PROXIES.get("ssm").endpoint(), PROXIES.get("ec2").endpoint());
        settings.put("AWS_ENDPOINT_URL_ROUTE_53", PROXIES.get("route53").endpoint().toString());
        if (queue.startsWith("outage-dynamodb")) {
            // Hooks arriving while DynamoDB is down reach their last delivery before it is back:
            // an outage must not be a reason to give up on them.
            settings.put("LIFEGUARD_MAX_ATTEMPTS", "2");
        }
        settings.put("LIFEGUARD_HOOK_HEARTBEAT_SECONDS", "5");
        // A failed attempt comes back in 10 s: two tries across the outage, of five allowed; and a
        // message whose visibility cannot be extended meanwhile comes back while it lasts.
        settings.put("LIFEGUARD_VISIBILITY_SECONDS", "10");
        return Jar.start(settings, Path.of("."), logName);
    }

    /** The jar tests' profiles, with drain-route53 first: the same steps, then route53-cleanup of the hook's record. */
    private static String profiles(String service, String zone, String zoneName) throws IOException {
        String engine = Files.readString(Path.of("src/test/resources/profiles/engine-it.yaml"), StandardCharsets.UTF_8);
        String route53Group = """
                  - match: drain-route53
                    steps:
                      terminating:
                        - type: salt-state
                          name: clean
                          salt: src/test/fake-tools/salt
                          state: clean
                        - type: ssm-command
                          name: drain
                          document: AWS-RunShellScript
                          poll-interval: 1
                          timeout: 300
                          parameters:
                            commands: ["nomad node drain -enable -self -y # {privateIp}"]
                        - type: route53-cleanup
                          name: dns
                          zones: [%s]
                          names: ["{instanceId}.%s"]
                          by-ip: false
                """.formatted(zone, zoneName);
        Path file = LOGS.resolve("outage-" + service + "-profiles.yaml");
        Files.writeString(file, engine.replace("groups:\n", "groups:\n" + route53Group), StandardCharsets.UTF_8);
        return file.toString();
    }

    private static String createZone(String name) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference(UUID.randomUUID().toString())).hostedZone().id();
        return id.substring(id.lastIndexOf('/') + 1);
    }

    private static void record(String zone, String zoneName, LifecycleEvent hook, ChangeAction action) {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.changes(c -> c.action(action)
                .resourceRecordSet(set -> set.name(hook.instanceId() + "." + zoneName + ".").type(RRType.A).ttl(60L)
                        .resourceRecords(v -> v.value("10.9.0.1"))))));
    }

    private static List<String> records(String zone, LifecycleEvent hook) {
        return route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zone)).resourceRecordSets().stream()
                .map(set -> set.name()).filter(name -> name.startsWith(hook.instanceId())).toList();
    }

    private static boolean waiting(String table, LifecycleEvent hook) {
        Map<String, AttributeValue> item = tableClient.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(hook.idempotencyKey())))).item();
        AttributeValue state = item.get("stepState");
        return state != null && state.m().containsKey("drain") && "WAITING".equals(state.m().get("drain").m().get("status").s());
    }

    private static long lines(String log) throws IOException {
        try (var stream = Files.lines(LOGS.resolve(log), StandardCharsets.UTF_8)) {
            return stream.count();
        }
    }
}
