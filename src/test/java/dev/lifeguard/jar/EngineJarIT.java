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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The engine as an operator meets it: packaged jars, configured by environment variables,
 * against ElasticMQ, DynamoDB Local over HTTP and the fleet stand-in (Auto Scaling, SSM, EC2).
 * A replica killed in the middle of a wait, and a replica stopped in the middle of a step.
 */
class EngineJarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Path LOGS = Path.of("target", "jar-it");

    private static LocalAws aws;
    private static LocalDynamoDbServer dynamoDbServer;
    private static DynamoDbClient dynamoDb;
    private static FleetStandIn fleet;
    private static SqsClient sqs;

    @BeforeAll
    static void standIns() throws IOException {
        Files.createDirectories(LOGS);
        aws = LocalAws.shared();
        sqs = aws.sqs();
        dynamoDbServer = LocalDynamoDbServer.start();
        dynamoDb = DynamoDbClient.builder().endpointOverride(dynamoDbServer.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"))).build();
        fleet = FleetStandIn.start();
    }

    @AfterAll
    static void stop() {
        if (fleet != null) {
            fleet.close();
        }
        if (dynamoDbServer != null) {
            dynamoDbServer.close();
        }
    }

    @Test
    void aReplicaKilledMidWaitIsTakenOverWithoutRepeatingAStepOrResendingTheCommand() throws Exception {
        String queue = "engine-it-kill-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        fleet.commandDuration(Duration.ofSeconds(15));
        List<LifecycleEvent> hooks = sendHooks(queueUrl, "drain-fleet", 5);

        Process first = startJar(queue, "kill-first.log");
        Process second = null;
        try {
            // Mid-wait: every drain sent and its command id on record with the claim.
            Fixtures.awaitUntil("every drain command sent and recorded", PATIENCE, () -> hooks.stream()
                    .allMatch(hook -> fleet.commandsFor(hook.instanceId()).size() == 1 && waiting(queue, hook, "drain")));
            // A second replica joins the queue; then the first, which holds every drain, dies.
            second = startJar(queue, "kill-second.log");
            Fixtures.awaitUntil("the second replica polling", PATIENCE,
                    () -> logOf("kill-second.log").contains("Started sqs-intake"));
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertTrue(hooks.stream().allMatch(hook -> fleet.completions(hook.actionToken()).isEmpty()),
                    "killed before any drain ended");

            for (LifecycleEvent hook : hooks) {
                Fixtures.awaitUntil("completion of " + hook.describe(), PATIENCE,
                        () -> "SUCCEEDED".equals(result(queue, hook.idempotencyKey())));
            }
            for (LifecycleEvent hook : hooks) {
                assertEquals(1, fleet.completions(hook.actionToken()).size(), () -> "completions of " + hook.describe());
                assertEquals("CONTINUE", fleet.completions(hook.actionToken()).get(0).result());
                assertEquals(1, fleet.commandsFor(hook.instanceId()).size(), "the drain was resumed, not sent again");
                String minion = hook.groupName() + "-" + hook.instanceId();
                assertEquals(1, FakeTools.callsAbout(minion).size(), "the salt state that succeeded was not run again");
                Map<String, AttributeValue> item = item(queue, hook.idempotencyKey());
                assertEquals("2", item.get("attempts").n(), "the takeover is the second claim");
            }
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroy();
                second.waitFor(40, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aReplicaCutOffFromSqsAndDynamoDbMidStepLeavesTheHookToTheReplicaThatTookItOver() throws Exception {
        String queue = "engine-it-cut-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        LifecycleEvent hook = sendHooks(queueUrl, "drain-cut", 1).get(0);
        fleet.commandDuration(hook.instanceId(), Duration.ofSeconds(15));
        String minion = hook.groupName() + "-" + hook.instanceId();
        // The first replica reaches SQS and DynamoDB through proxies that the test cuts (as when
        // VPC endpoints fail); Auto Scaling, SSM and the Salt master stay reachable.
        try (SwitchableProxy sqsLink = new SwitchableProxy(URI.create(aws.sqsEndpoint()));
             SwitchableProxy tableLink = new SwitchableProxy(dynamoDbServer.endpoint())) {
            Map<String, String> cutOff = Jar.settings(queue, "src/test/resources/profiles/engine-it.yaml",
                    sqsLink.endpoint(), tableLink.endpoint(), fleet.endpoint(), fleet.endpoint(), fleet.endpoint());
            cutOff.putAll(fastTakeover());
            Process first = Jar.start(cutOff, Path.of("."), "cut-first.log");
            Process second = null;
            try {
                // Mid-step: the salt state ended and recorded, the drain sent and its handle recorded.
                Fixtures.awaitUntil("the salt state recorded, the drain sent and its handle recorded", PATIENCE,
                        () -> fleet.commandsFor(hook.instanceId()).size() == 1 && waiting(queue, hook, "drain")
                                && recorded(queue, hook, "clean", "SUCCEEDED"));
                sqsLink.down();
                tableLink.down();
                second = startJar(queue, "cut-second.log");

                Fixtures.awaitUntil("the hook completed by the replica that took it over", PATIENCE,
                        () -> "SUCCEEDED".equals(result(queue, hook.idempotencyKey())));
                assertEquals("2", item(queue, hook.idempotencyKey()).get("attempts").n(), "taken over after the lease lapsed");
                Fixtures.awaitUntil("the cut-off replica noticing its lapsed lease", PATIENCE,
                        () -> logOf("cut-first.log").contains("not completing its hook until it is renewed"));
                // The cut-off replica comes back, finds the claim taken over and lets go without completing.
                sqsLink.up();
                tableLink.up();
                Fixtures.awaitUntil("the cut-off replica letting go", PATIENCE,
                        () -> logOf("cut-first.log").contains("was taken over by another worker while it was finishing"));
                assertEquals(1, fleet.commandsFor(hook.instanceId()).size(), "the drain was sent once and resumed");
                assertEquals(1, FakeTools.callsAbout(minion).size(), "the salt state ran once");
                assertEquals(1, fleet.completions(hook.actionToken()).size(), "the hook was completed once");
                assertEquals("CONTINUE", fleet.completions(hook.actionToken()).get(0).result());
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor(40, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void sigtermLetsARunningStepFinishHandsTheRestBackAndExitsInTime() throws Exception {
        String queue = "engine-it-term-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        fleet.commandDuration(Duration.ofSeconds(120));
        LifecycleEvent salted = sendHooks(queueUrl, "slowsalt-web", 1).get(0);
        String minion = salted.groupName() + "-" + salted.instanceId();
        FakeTools.write("slow-" + minion, "8");
        LifecycleEvent draining = sendHooks(queueUrl, "drain-batch", 1).get(0);

        Process lifeguard = startJar(queue, "term.log");
        Fixtures.awaitUntil("the salt step and the drain started", PATIENCE,
                () -> !FakeTools.callsAbout(minion).isEmpty() && fleet.commandsFor(draining.instanceId()).size() == 1);
        long signalled = System.nanoTime();
        lifeguard.destroy();
        assertTrue(lifeguard.waitFor(30, TimeUnit.SECONDS), "exits within ECS's 30 s stopTimeout");
        System.out.printf("SIGTERM to exit with a step running: %d ms%n", (System.nanoTime() - signalled) / 1_000_000);

        // The running step finished within the grace, and its hook was completed.
        assertEquals("SUCCEEDED", result(queue, salted.idempotencyKey()));
        assertEquals(1, fleet.completions(salted.actionToken()).size());
        // The waiting drain was handed back: not completed, claim released, no attempt burnt.
        assertTrue(fleet.completions(draining.actionToken()).isEmpty());
        Map<String, AttributeValue> handedBack = item(queue, draining.idempotencyKey());
        assertEquals("RELEASED", handedBack.get("status").s());
        assertEquals("0", handedBack.get("attempts").n(), "a hand-back does not count as an attempt");

        // The next replica resumes the recorded command and completes the hook.
        fleet.commandDuration(Duration.ofSeconds(1));
        Process next = startJar(queue, "term-next.log");
        try {
            Fixtures.awaitUntil("the handed-back hook completed", PATIENCE,
                    () -> "SUCCEEDED".equals(result(queue, draining.idempotencyKey())));
            assertEquals(1, fleet.commandsFor(draining.instanceId()).size(), "the command was not sent again");
            assertEquals(1, fleet.completions(draining.actionToken()).size());
        } finally {
            next.destroy();
            next.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static List<LifecycleEvent> sendHooks(String queueUrl, String group, int count) {
        List<LifecycleEvent> hooks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String instanceId = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
            String body = Fixtures.fresh(Fixtures.read("hook-terminating.json"))
                    .replace("exampleAutoScalingGroup", group)
                    .replace("i-883a3a42", instanceId);
            hooks.add(Fixtures.parse(body));
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(body)));
        }
        return hooks;
    }

    private static Process startJar(String queue, String logName) throws IOException {
        Map<String, String> settings = Jar.settings(queue, "src/test/resources/profiles/engine-it.yaml",
                URI.create(aws.sqsEndpoint()), dynamoDbServer.endpoint(), fleet.endpoint(), fleet.endpoint(), fleet.endpoint());
        settings.putAll(fastTakeover());
        return Jar.start(settings, Path.of("."), logName);
    }

    /** A dead replica's messages come back within seconds and its leases end within seconds. */
    private static Map<String, String> fastTakeover() {
        return Map.of("LIFEGUARD_VISIBILITY_SECONDS", "4", "LIFEGUARD_CLAIM_LEASE_SECONDS", "6",
                "LIFEGUARD_HOOK_HEARTBEAT_SECONDS", "2", "LIFEGUARD_SHUTDOWN_GRACE_SECONDS", "20");
    }

    private static Map<String, AttributeValue> item(String table, String key) {
        return dynamoDb.getItem(r -> r.tableName(table).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }

    private static String logOf(String name) {
        try {
            return Files.readString(LOGS.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }

    /** True when the step is parked with its handle on the event's claim. */
    private static boolean waiting(String table, LifecycleEvent hook, String step) {
        return recorded(table, hook, step, "WAITING");
    }

    /** True when the event's claim records the step with this status. */
    private static boolean recorded(String table, LifecycleEvent hook, String step, String status) {
        Map<String, AttributeValue> item = item(table, hook.idempotencyKey());
        AttributeValue state = item.get("stepState");
        return state != null && state.m().containsKey(step) && status.equals(state.m().get(step).m().get("status").s());
    }

    private static String result(String table, String key) {
        try {
            Map<String, AttributeValue> item = item(table, key);
            return item.containsKey("result") && item.containsKey("status") && item.get("status").s().equals("DONE")
                    ? item.get("result").s() : null;
        } catch (software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException e) {
            return null;
        }
    }
}
