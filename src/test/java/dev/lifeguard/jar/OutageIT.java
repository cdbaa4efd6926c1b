package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
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

/**
 * A dependency that stops answering for 30 s while hooks are in the middle of their drains: the
 * jar stays up, backs off, logs the outage in a few lines, resumes by itself, and completes every
 * hook exactly once without running a step twice. Each stand-in sits behind a TCP proxy the test
 * switches off ({@code -Doutage.seconds=N} shortens the outage for a quick look).
 */
class OutageIT {
    private static final Path LOGS = Path.of("target", "jar-it");
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("outage.seconds", 30));
    private static final int HOOKS = 8;
    private static final int ARRIVING = 4;

    private static LocalAws aws;
    private static LocalDynamoDbServer dynamoDb;
    private static FleetStandIn fleet;
    private static DynamoDbClient tableClient;
    private static final Map<String, SwitchableProxy> PROXIES = new HashMap<>();

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
    }

    @ParameterizedTest(name = "{0} down for 30 s while hooks drain and more arrive")
    @ValueSource(strings = {"sqs", "dynamodb", "autoscaling", "ssm", "ec2"})
    void anOutageIsSurvivedWithNothingLostOrDoubled(String service) throws Exception {
        String queue = "outage-" + service + "-" + UUID.randomUUID().toString().substring(0, 6);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        fleet.commandDuration(Duration.ofSeconds(10));
        List<LifecycleEvent> hooks = send(queueUrl, service, HOOKS);
        String log = "outage-" + service + ".log";
        Process lifeguard = startJar(queue, log);
        try {
            // In the middle of the drains: every command sent and its id on record with the claim.
            Fixtures.awaitUntil("every drain sent and recorded", Duration.ofSeconds(60),
                    () -> hooks.stream().allMatch(hook -> fleet.commandsFor(hook.instanceId()).size() == 1 && waiting(queue, hook)));

            long linesBefore = lines(log);
            PROXIES.get(service).down();
            // More hooks arrive while it is down: they wait, or fail and come back, until it is up.
            List<LifecycleEvent> arriving = send(queueUrl, service, ARRIVING);
            Thread.sleep(OUTAGE.toMillis());
            long linesDuring = lines(log) - linesBefore;
            PROXIES.get(service).up();
            assertTrue(lifeguard.isAlive(), "the service stays up");
            hooks.addAll(arriving);

            for (LifecycleEvent hook : hooks) {
                Fixtures.awaitUntil("completion of " + hook.describe(), Duration.ofSeconds(150),
                        () -> fleet.completions(hook.actionToken()).stream().anyMatch(FleetStandIn.Completion::accepted));
            }
            Thread.sleep(2_000); // a late second completion would show now
            for (LifecycleEvent hook : hooks) {
                assertEquals(1, fleet.completions(hook.actionToken()).stream().filter(FleetStandIn.Completion::accepted).count(),
                        () -> "accepted completions of " + hook.describe());
                assertEquals(1, fleet.commandsFor(hook.instanceId()).size(), "the drain was sent once");
                assertEquals(1, FakeTools.callsAbout(hook.groupName() + "-" + hook.instanceId()).size(), "the salt state ran once");
            }
            System.out.printf("%s down for %d s: %d log line(s) meanwhile%n", service, OUTAGE.toSeconds(), linesDuring);
            assertTrue(linesDuring < 100, service + " outage wrote " + linesDuring + " log lines");
        } finally {
            PROXIES.get(service).up();
            lifeguard.destroy();
            lifeguard.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static List<LifecycleEvent> send(String queueUrl, String service, int count) {
        List<LifecycleEvent> hooks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String instanceId = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
            String body = Fixtures.fresh(Fixtures.read("hook-terminating.json"))
                    .replace("exampleAutoScalingGroup", "drain-" + service).replace("i-883a3a42", instanceId);
            hooks.add(Fixtures.parse(body));
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
        }
        return hooks;
    }

    private static Process startJar(String queue, String logName) throws IOException {
        Map<String, String> settings = Jar.settings(queue, "src/test/resources/profiles/engine-it.yaml",
                PROXIES.get("sqs").endpoint(), PROXIES.get("dynamodb").endpoint(), PROXIES.get("autoscaling").endpoint(),
                PROXIES.get("ssm").endpoint(), PROXIES.get("ec2").endpoint());
        settings.put("LIFEGUARD_HOOK_HEARTBEAT_SECONDS", "5");
        // A failed attempt comes back in 15 s: two or three tries across the outage, of five allowed.
        settings.put("LIFEGUARD_VISIBILITY_SECONDS", "15");
        return Jar.start(settings, Path.of("."), logName);
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
