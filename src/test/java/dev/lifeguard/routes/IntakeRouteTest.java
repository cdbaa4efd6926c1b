package dev.lifeguard.routes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import dev.lifeguard.store.Claims;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Drives the real YAML routes against ElasticMQ, DynamoDB Local and a WireMock Auto Scaling
 * endpoint, asserting only on what went over the wire: completions WireMock received, items in
 * DynamoDB, messages left on or sent to the queues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=intake-test",
            "lifeguard.dead-letter-queue=intake-test-dlq",
            "lifeguard.table=intake-test",
            "lifeguard.table.create=true",
            "lifeguard.max-attempts=3",
            "lifeguard.profiles=src/test/resources/profiles/intake.yaml",
            "lifeguard.poll.wait-seconds=1",
            // Redeliveries after a failure come back within seconds.
            "lifeguard.visibility-seconds=2",
            // Leases shorter than the slow steps below: they hold only because they are renewed.
            "lifeguard.claim.lease-seconds=3",
            "lifeguard.hook.heartbeat-seconds=1",
        })
class IntakeRouteTest {
    private static final Duration PATIENCE = IntakeWorld.PATIENCE;

    private final LocalAws aws = LocalAws.shared();
    private final IntakeWorld world = new IntakeWorld(aws, "intake-test");

    @BeanInject
    CamelContext context;
    private final EventParser parser = new EventParser();

    @ParameterizedTest(name = "{0} reaches {1}")
    @CsvSource({
        "hook-launching.json,                         on-launching,       CONTINUE",
        "hook-terminating.json,                       on-terminating,     CONTINUE",
        "hook-terminating-warmpool.json,              on-terminating,     CONTINUE",
        "sns-hook-terminating.json,                   on-terminating,     CONTINUE",
        "eventbridge-launch-lifecycle-action.json,    on-launching,       CONTINUE",
        "eventbridge-terminate-lifecycle-action.json, on-terminating,     CONTINUE",
        "sns-launch.json,                             on-launched,        ",
        "notification-launch.json,                    on-launched,        ",
        "eventbridge-launch-successful.json,          on-launched,        ",
        "sns-launch-error.json,                       on-launch-error,    ",
        "eventbridge-launch-unsuccessful.json,        on-launch-error,    ",
        "notification-terminate.json,                 on-terminated,      ",
        "eventbridge-terminate-successful.json,       on-terminated,      ",
        "sns-terminate-error.json,                    on-terminate-error, ",
        "eventbridge-terminate-unsuccessful.json,     on-terminate-error, ",
        "cleanup-request.json,                        on-cleanup-request, ",
        "sns-cleanup-request.json,                    on-cleanup-request, ",
        "hook-terminating-to-warm-pool.json,          on-to-warm-pool,    CONTINUE",
        "sns-hook-terminating-to-warm-pool.json,      on-to-warm-pool,    CONTINUE",
        "eventbridge-terminate-to-warm-pool.json,     on-to-warm-pool,    CONTINUE",
        "hook-launching-into-warm-pool.json,          on-to-warm-pool,    CONTINUE",
        "eventbridge-launch-into-warm-pool.json,      on-to-warm-pool,    CONTINUE",
        "hook-launching-from-warm-pool.json,          on-from-warm-pool,  CONTINUE",
        "sns-hook-launching-from-warm-pool.json,      on-from-warm-pool,  CONTINUE",
        "eventbridge-launch-from-warm-pool.json,      on-from-warm-pool,  CONTINUE",
    })
    void everyFormatReachesItsRoute(String file, String route, String hookResult) {
        String body = Fixtures.fresh(Fixtures.read(file));
        LifecycleEvent event = parser.parse(body, UUID.randomUUID().toString());
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        assertEquals(event.kind().name(), outcome.get("kind").s());
        assertEquals(route, outcome.get("route").s());
        if (event.isHook()) {
            assertEquals(hookResult, outcome.get("hookResult").s());
            List<LoggedRequest> completions = world.completionsOf(event.actionToken());
            assertEquals(1, completions.size());
            Map<String, String> form = Fixtures.form(completions.get(0));
            assertEquals(event.groupName(), form.get("AutoScalingGroupName"));
            assertEquals(event.hookName(), form.get("LifecycleHookName"));
            assertEquals(event.instanceId(), form.get("InstanceId"));
            assertEquals(hookResult, form.get("LifecycleActionResult"));
        } else {
            assertFalse(outcome.containsKey("hookResult"));
        }
    }

    @Test
    void testNotificationsAreDeletedWithoutCompletionOrRecord() {
        String direct = Fixtures.read("test-notification.json").replace("\"RequestId\":", "\"Ignored\":");
        String viaSns = Fixtures.read("sns-test-notification.json");
        int completionsBefore = allCompletions();
        send(direct);
        send(viaSns);

        Fixtures.awaitUntil("the intake queue is empty", PATIENCE, () -> world.queueDepth("intake-test") == 0);
        assertEquals(completionsBefore, allCompletions(), "a test notification must not complete anything");
        String requestId = parser.parse(viaSns, "m").requestId();
        assertTrue(world.item("TEST_NOTIFICATION#" + requestId).isEmpty(), "nothing is recorded for test notifications");
    }

    @Test
    void aHookDeliveredThreeTimesIsCompletedOnce() {
        String body = Fixtures.fresh(Fixtures.read("sns-hook-terminating.json"));
        LifecycleEvent event = parser.parse(body, "m");
        send(body);
        send(body);
        send(body);

        world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        Fixtures.awaitUntil("the intake queue is empty", PATIENCE, () -> world.queueDepth("intake-test") == 0);
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size(), "exactly one CompleteLifecycleAction per token");
        assertEquals("CONTINUE", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
        assertEquals("1", world.item(event.idempotencyKey()).get("attempts").n());
    }

    @ParameterizedTest(name = "{0} is dead-lettered")
    @CsvSource(delimiter = '|', value = {
        "not-json.txt                 | is not valid JSON",
        "unknown-shape.json           | unknown message shape",
        "hook-missing-token.json      | LifecycleActionToken is not a lifecycle action token",
        "hook-bad-instance-id.json    | EC2InstanceId is not an EC2 instance id",
        "sns-message-not-json.json    | SNS Message is not",
        "cleanup-request-bad-ip.json  | IpAddress is not an IPv4 or IPv6 address",
        "hook-bad-destination.json    | Destination is not one of EC2, AutoScalingGroup, WarmPool: \"Warmpool\"",
        "eventbridge-bad-origin.json  | Origin is not one of EC2, AutoScalingGroup, WarmPool: \"S3\"",
        "unknown-event.json           | Event \"custom:SOMETHING_ELSE\" is not an Auto Scaling notification",
    })
    void malformedBodiesGoToTheDeadLetterQueueWithTheirReason(String file, String reason) {
        String body = Fixtures.read("refused/" + file) + "\n" + UUID.randomUUID();
        if (file.endsWith(".json")) {
            body = Fixtures.read("refused/" + file).replaceFirst("\\{", "{\"TestNonce\":\"" + UUID.randomUUID() + "\",");
        }
        String messageId = send(body);

        Message dead = awaitDeadLetter(messageId);
        assertEquals(body, dead.body(), "the dead letter carries the original body");
        String recorded = dead.messageAttributes().get("LifeguardReason").stringValue();
        assertTrue(recorded.contains(reason), () -> "reason was: " + recorded);
        assertEquals("REFUSED", world.awaitOutcome("refused#" + messageId, "REFUSED").get("result").s());
    }

    @Test
    void aBodyThatFillsSqsOnItsOwnIsDeadLetteredCutAndMarkedNeverLost() {
        String body = "not json " + UUID.randomUUID() + " " + "x".repeat(262_000);
        String messageId = send(body);

        Message dead = awaitDeadLetter(messageId);
        assertTrue(body.startsWith(dead.body()), "the dead letter carries the start of the original body");
        assertTrue(dead.body().length() < body.length(), "cut to leave room for the reason");
        assertTrue(dead.messageAttributes().get("LifeguardReason").stringValue().contains("is not valid JSON"));
        assertTrue(dead.messageAttributes().get("LifeguardTruncated").stringValue()
                .startsWith("original body of " + body.length() + " bytes"));
        int size = dead.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + dead.messageAttributes().entrySet()
                .stream().mapToInt(a -> a.getKey().length() + a.getValue().dataType().length()
                        + a.getValue().stringValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).sum();
        assertTrue(size <= 256 * 1024, "body and attributes within SQS's 256 KiB, were " + size);
    }

    @Test
    void aFailedStepLeavesTheMessageForRedeliveryAndTheRetryCompletesIt() {
        String body = IntakeWorld.steered(Fixtures.read("hook-launching.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("fail-once-" + IntakeWorld.minion(event), "x");
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        assertEquals("2", outcome.get("attempts").n(), "the first delivery failed, the redelivery succeeded");
        assertTrue(outcome.get("lastError").s().contains("master unreachable"), "the failed attempt is on record");
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size());
        assertEquals("CONTINUE", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
    }

    @Test
    void aStepLongerThanTheVisibilityTimeoutKeepsItsMessageHidden() {
        String body = IntakeWorld.steered(Fixtures.read("hook-launching.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("slow-" + IntakeWorld.minion(event), "5");
        NotifyBuilder deliveries = new NotifyBuilder(context).fromRoute("sqs-intake")
                .filter(e -> String.valueOf(e.getProperty("LifeguardRawBody")).contains(event.actionToken()))
                .whenDone(2).create();
        send(body);

        world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        Fixtures.awaitUntil("the intake queue is empty", PATIENCE, () -> world.queueDepth("intake-test") == 0);
        assertFalse(deliveries.matches(), "the message was handed out once, its visibility extended while the step ran");
        assertEquals(1, world.completionsOf(event.actionToken()).size());
    }

    @Test
    void theLastFailedAttemptAbandonsALaunchAndDeadLettersTheMessage() {
        String body = IntakeWorld.steered(Fixtures.read("eventbridge-launch-lifecycle-action.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("fail-always-" + IntakeWorld.minion(event), "highstate failed on every attempt");
        String messageId = send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "GAVE_UP");
        assertEquals("3", outcome.get("attempts").n());
        assertEquals("ABANDON", outcome.get("hookResult").s());
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size(), "the hook is completed once, on the last attempt");
        assertEquals("ABANDON", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
        Message dead = awaitDeadLetter(messageId);
        assertTrue(dead.messageAttributes().get("LifeguardReason").stringValue().contains("highstate failed on every attempt"));
    }

    @Test
    void aDuplicateArrivingAfterTheFirstLeaseWouldHaveEndedFindsTheClaimRenewed() {
        String body = IntakeWorld.steered(Fixtures.read("hook-terminating.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("slow-" + IntakeWorld.minion(event), "8");
        send(body);
        Fixtures.awaitUntil("the step started", PATIENCE, () -> !FakeTools.callsAbout(IntakeWorld.minion(event)).isEmpty());
        // The lease is 3 s; the step takes 8. Past the first lease, another worker finds the claim
        // still held (renewed), and a second copy (SNS and EventBridge both wired) arrives:
        sleepSeconds(4);
        Claims otherWorker = new Claims(aws.dynamoDb(), "intake-test", "other-worker", Duration.ofSeconds(3),
                Duration.ofDays(30), java.time.Clock.systemUTC());
        assertTrue(otherWorker.claim(event) instanceof Claims.Held, "the lease was renewed");
        send(body);

        world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        Fixtures.awaitUntil("the intake queue is empty", PATIENCE, () -> world.queueDepth("intake-test") == 0);
        assertEquals(1, FakeTools.callsAbout(IntakeWorld.minion(event)).size(), "the step ran once");
        assertEquals(1, world.completionsOf(event.actionToken()).size(), "the hook was completed once");
        assertEquals("1", world.item(event.idempotencyKey()).get("attempts").n(), "meeting a held claim is not an attempt");
    }

    @Test
    void aThrottledHeartbeatDoesNotFailTheAttempt() {
        String body = IntakeWorld.steered(Fixtures.read("hook-terminating.json"));
        LifecycleEvent event = parser.parse(body, "m");
        // The first two heartbeats (the confirming one and its first retry) are throttled: no
        // evidence either way, so the hook is asked about again, never refused.
        String scenario = "throttle-" + event.actionToken();
        String[] states = {Scenario.STARTED, "throttled once", "throttled twice"};
        for (int i = 0; i < 2; i++) {
            aws.autoScaling().stubFor(post(urlEqualTo("/"))
                    .inScenario(scenario).whenScenarioStateIs(states[i]).willSetStateTo(states[i + 1])
                    .withRequestBody(containing("Action=RecordLifecycleActionHeartbeat"))
                    .withRequestBody(containing("LifecycleActionToken=" + event.actionToken()))
                    .atPriority(1)
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml").withBody(
                            "<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><Error><Type>Sender</Type>"
                                    + "<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>x</RequestId></ErrorResponse>")));
        }
        FakeTools.write("slow-" + IntakeWorld.minion(event), "6");
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        assertEquals("1", outcome.get("attempts").n(), "throttled heartbeats did not fail the attempt");
        assertTrue(aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=RecordLifecycleActionHeartbeat"))
                .withRequestBody(containing("LifecycleActionToken=" + event.actionToken()))).size() >= 3,
                "heartbeats were tried, and tried again after throttling");
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size());
        assertEquals("CONTINUE", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
    }

    @ParameterizedTest(name = "a hook of group \"{0}\" is completed with {1}")
    @CsvSource(delimiter = '|', value = {
        "web servers | CONTINUE | SUCCEEDED",
        "prod$green  | CONTINUE | SUCCEEDED",
        // Its profile applies a Salt state, and '*' must never reach a Salt target: the step
        // fails for good without calling salt, and the hook gets its on-failure result at once.
        "batch *     | ABANDON  | GAVE_UP",
    })
    void everyGroupNameAutoScalingAllowsIsHandled(String group, String result, String outcomeResult) {
        String body = Fixtures.fresh(Fixtures.read("hook-terminating.json")).replace("exampleAutoScalingGroup", group);
        LifecycleEvent event = parser.parse(body, "m");
        String test = Fixtures.read("test-notification.json").replaceAll("\"AutoScalingGroupName\": *\"[^\"]*\"",
                "\"AutoScalingGroupName\": \"" + group.replace("$", "\\$") + "\"");
        send(body);
        send(test);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), outcomeResult);
        assertEquals("1", outcome.get("attempts").n(), "no retries");
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size());
        assertEquals(result, Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
        assertEquals(group, Fixtures.form(completions.get(0)).get("AutoScalingGroupName"));
        assertTrue(FakeTools.callsAbout(group).isEmpty(), "no Salt call for " + group);
        Fixtures.awaitUntil("the intake queue is empty (the test notification deleted)", PATIENCE,
                () -> world.queueDepth("intake-test") == 0);
    }

    // --- warm pools ---

    @ParameterizedTest(name = "{0}: into the pool, the terminating steps never run")
    @CsvSource({
        "hook-terminating-to-warm-pool.json",
        "sns-hook-terminating-to-warm-pool.json",
        "eventbridge-terminate-to-warm-pool.json",
        "hook-launching-into-warm-pool.json",
        "eventbridge-launch-into-warm-pool.json",
    })
    void aHookIntoTheWarmPoolRunsItsOwnStepsNeverTheTerminatingOnes(String file) {
        String body = warm(Fixtures.read(file));
        LifecycleEvent event = parser.parse(body, "m");
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        assertEquals("TO_WARM_POOL", outcome.get("kind").s());
        assertEquals("on-to-warm-pool", outcome.get("route").s());
        assertEquals("WarmPool", outcome.get("destination").s());
        assertEquals(event.eventName(), outcome.get("eventName").s(), "the transition is on record as sent");
        assertEquals(List.of(List.of("salt-key", "-a", "pooled-" + IntakeWorld.minion(event), "-y")), FakeTools.callsAbout(IntakeWorld.minion(event)),
                "the to-warm-pool steps ran, once; the terminating steps (salt-key -d) never did");
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size(), "the hook is completed once");
        Map<String, String> form = Fixtures.form(completions.get(0));
        assertEquals("CONTINUE", form.get("LifecycleActionResult"));
        assertEquals(event.instanceId(), form.get("InstanceId"));
        assertEquals(event.hookName(), form.get("LifecycleHookName"));
    }

    @ParameterizedTest(name = "{0}: out of the pool, its own steps run")
    @CsvSource({
        "hook-launching-from-warm-pool.json",
        "sns-hook-launching-from-warm-pool.json",
        "eventbridge-launch-from-warm-pool.json",
    })
    void aHookOutOfTheWarmPoolRunsItsOwnSteps(String file) {
        String body = warm(Fixtures.read(file));
        LifecycleEvent event = parser.parse(body, "m");
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        assertEquals("FROM_WARM_POOL", outcome.get("kind").s());
        assertEquals("on-from-warm-pool", outcome.get("route").s());
        assertEquals("WarmPool", outcome.get("origin").s());
        assertEquals(List.of(List.of("salt-key", "-a", IntakeWorld.minion(event), "-y")), FakeTools.callsAbout(IntakeWorld.minion(event)),
                "the from-warm-pool steps ran, once, and nothing else");
        List<LoggedRequest> completions = world.completionsOf(event.actionToken());
        assertEquals(1, completions.size());
        assertEquals("CONTINUE", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
    }

    @Test
    void aLaunchThroughTheWarmPoolIsHandledAtBothPauses() {
        // EC2 -> WarmPool, then WarmPool -> AutoScalingGroup: one instance, two lifecycle actions,
        // each with its own token, each its own event.
        String into = warm(Fixtures.read("hook-launching-into-warm-pool.json"));
        LifecycleEvent first = parser.parse(into, "m");
        String out = into.replace("\"Origin\": \"EC2\"", "\"Origin\": \"WarmPool\"")
                .replace("\"Destination\": \"WarmPool\"", "\"Destination\": \"AutoScalingGroup\"")
                .replace(first.requestId(), UUID.randomUUID().toString())
                .replace(first.actionToken(), UUID.randomUUID().toString());
        LifecycleEvent second = parser.parse(out, "m");
        send(into);
        world.awaitOutcome(first.idempotencyKey(), "SUCCEEDED");
        send(out);

        Map<String, AttributeValue> outcome = world.awaitOutcome(second.idempotencyKey(), "SUCCEEDED");
        assertEquals("on-from-warm-pool", outcome.get("route").s());
        assertEquals("on-to-warm-pool", world.item(first.idempotencyKey()).get("route").s());
        assertEquals(List.of(List.of("salt-key", "-a", "pooled-" + IntakeWorld.minion(first), "-y"), List.of("salt-key", "-a", IntakeWorld.minion(first), "-y")),
                FakeTools.callsAbout(IntakeWorld.minion(first)), "each pause ran its own steps, in order, and no terminating step ran");
        assertEquals(1, world.completionsOf(first.actionToken()).size(), "the first pause was completed");
        assertEquals(1, world.completionsOf(second.actionToken()).size(), "the second pause was completed");
    }

    // --- Auto Scaling events Lifeguard does not act on ---

    @ParameterizedTest(name = "{0} is deleted, recorded as ignored, never dead-lettered")
    @CsvSource({
        "eventbridge-instance-refresh-started.json,            EC2 Auto Scaling Instance Refresh Started",
        "eventbridge-instance-refresh-checkpoint-reached.json, EC2 Auto Scaling Instance Refresh Checkpoint Reached",
        "eventbridge-unknown-autoscaling-event.json,           other",
        "notification-unknown-event.json,                      other",
    })
    void autoScalingEventsLifeguardDoesNotActOnAreIgnored(String file, String label) {
        String body = Fixtures.fresh(Fixtures.read(file));
        LifecycleEvent event = parser.parse(body, "m");
        double ignoredBefore = ignoredCount(label);
        int completionsBefore = allCompletions();
        String messageId = send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "IGNORED");
        assertEquals("DONE", outcome.get("status").s());
        assertEquals("IGNORED", outcome.get("kind").s());
        assertEquals(event.eventName(), outcome.get("eventName").s());
        assertEquals("web-asg", outcome.get("groupName").s());
        Fixtures.awaitUntil("the intake queue is empty (the message deleted)", PATIENCE, () -> world.queueDepth("intake-test") == 0);
        assertTrue(world.item("refused#" + messageId).isEmpty(), "not refused, so not dead-lettered");
        assertTrue(deadLettersFrom(messageId).isEmpty(), "nothing in the dead-letter queue");
        assertEquals(ignoredBefore + 1, ignoredCount(label), "counted under lifeguard_ignored_total{type=" + label + "}");
        assertEquals(completionsBefore, allCompletions(), "nothing completed");
    }

    private double ignoredCount(String label) {
        io.micrometer.core.instrument.Counter counter = context.getRegistry()
                .lookupByNameAndType("metrics", dev.lifeguard.metrics.LifeguardMetrics.class).registry()
                .find("lifeguard.ignored").tag("type", label).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The body, fresh, for a group of its own matching the warm-* profile. */
    private static String warm(String body) {
        return Fixtures.fresh(body).replace("warm-web", "warm-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static void sleepSeconds(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- helpers: everything below talks to the stand-ins over their APIs ---

    private String send(String body) {
        aws.actions().sent(body);
        return aws.sqs().sendMessage(r -> r.queueUrl(world.queueUrl("intake-test")).messageBody(body)).messageId();
    }

    /** Dead letters from one source message, looked at without taking them off the queue. */
    private List<Message> deadLettersFrom(String sourceMessageId) {
        return aws.sqs().receiveMessage(r -> r.queueUrl(world.queueUrl("intake-test-dlq")).maxNumberOfMessages(10).waitTimeSeconds(1)
                .visibilityTimeout(0).messageAttributeNames("All")).messages().stream()
                .filter(m -> m.messageAttributes().containsKey("LifeguardSourceMessageId")
                        && m.messageAttributes().get("LifeguardSourceMessageId").stringValue().equals(sourceMessageId))
                .toList();
    }

    private Message awaitDeadLetter(String sourceMessageId) {
        Predicate<Message> fromSource = m -> m.messageAttributes().containsKey("LifeguardSourceMessageId")
                && m.messageAttributes().get("LifeguardSourceMessageId").stringValue().equals(sourceMessageId);
        Message[] found = new Message[1];
        Fixtures.awaitUntil("a dead letter for " + sourceMessageId, PATIENCE, () -> {
            for (Message m : aws.sqs().receiveMessage(r -> r.queueUrl(world.queueUrl("intake-test-dlq"))
                    .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(0).messageAttributeNames("All")).messages()) {
                if (fromSource.test(m)) {
                    aws.sqs().deleteMessage(r -> r.queueUrl(world.queueUrl("intake-test-dlq")).receiptHandle(m.receiptHandle()));
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private int allCompletions() {
        return aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=CompleteLifecycleAction"))).size();
    }
}
