package dev.lifeguard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.Fixtures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class EventParserTest {
    private final EventParser parser = new EventParser();

    @ParameterizedTest(name = "{0} is a {1} hook via {2}")
    @CsvSource({
        "hook-launching.json,                        LAUNCHING,   DIRECT,      web-asg,                 i-8f263c7ac55ae1615, web-launch-hook,       45999ebb-833b-486a-b00d-4f6ca8f9e27e",
        "hook-terminating.json,                      TERMINATING, DIRECT,      exampleAutoScalingGroup, i-883a3a42,          do-some-work,          4889fcc7-adc6-43ff-a415-46240e2f57dc",
        "hook-terminating-warmpool.json,             TERMINATING, DIRECT,      nomad-clients,           i-031ab0c92e3ebf2e9, nomad-drain-hook,      b1882d3a-6ade-419b-b0f5-36293e475597",
        "sns-hook-terminating.json,                  TERMINATING, SNS,         nomad-clients,           i-7acb852b92f2b3f40, graceful_shutdown_asg, 5ff475b7-8a97-4740-8180-a4e3352d7ca7",
        "eventbridge-launch-lifecycle-action.json,   LAUNCHING,   EVENTBRIDGE, web-asg,                 i-af02589bea9bba06b, web-launch-hook,       d1da30d2-c0d0-41d9-9ffe-a0d37ac0db6c",
        "eventbridge-terminate-lifecycle-action.json, TERMINATING, EVENTBRIDGE, salt-minions,           i-6572aba90da7ef9ab, salt-cleanup-hook,     15efbb8b-da2e-42b0-9ed2-45c67beb648c",
        "hook-launching-shell-group.json,            LAUNCHING,   DIRECT,      web-asg$(reboot),        i-05b7e3c1d9a2f4e68, web-launch-hook,       a7b3c9d1-2e4f-4a6b-8c0d-1e2f3a4b5c6d",
    })
    void readsLifecycleHooks(String file, Kind kind, Envelope envelope, String group, String instance, String hook, String token) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");
        assertEquals(kind, event.kind());
        assertEquals(kind.eventName(), event.eventName());
        assertEquals(envelope, event.envelope());
        assertEquals(group, event.groupName());
        assertEquals(instance, event.instanceId());
        assertEquals(hook, event.hookName());
        assertEquals(token, event.actionToken());
        assertTrue(event.idempotencyKey().startsWith("hook#" + instance + "#"), event.idempotencyKey());
        assertFalse(event.idempotencyKey().contains(token), "keys reach logs: a live token must not be in them");
        assertTrue(event.isHook());
    }

    @ParameterizedTest(name = "{0} is {1} via {2}")
    @CsvSource({
        "sns-launch.json,                            LAUNCHED,        SNS,         web-asg,       i-280e45b8ae8aed941",
        "notification-launch.json,                   LAUNCHED,        DIRECT,      nomad-clients, i-59029b9fd8b200a7c",
        "sns-launch-error.json,                      LAUNCH_ERROR,    SNS,         web-asg,       i-008180e2e77c21048",
        "notification-launch-error.json,             LAUNCH_ERROR,    DIRECT,      nomad-clients, i-11096a1805462ee60",
        "sns-terminate.json,                         TERMINATED,      SNS,         salt-minions,  i-5d6db99d0e6434f20",
        "notification-terminate.json,                TERMINATED,      DIRECT,      web-asg,       i-195a6827dd99090f0",
        "sns-terminate-error.json,                   TERMINATE_ERROR, SNS,         salt-minions,  i-911c548c230e0144e",
        "notification-terminate-error.json,          TERMINATE_ERROR, DIRECT,      web-asg,       i-65d6734d2920ec5a4",
        "eventbridge-launch-successful.json,         LAUNCHED,        EVENTBRIDGE, web-asg,       i-1ab57250d34d8db2e",
        "eventbridge-launch-unsuccessful.json,       LAUNCH_ERROR,    EVENTBRIDGE, nomad-clients, i-367560c8f2b809f80",
        "eventbridge-terminate-successful.json,      TERMINATED,      EVENTBRIDGE, salt-minions,  i-7fd64ad3eacb2ff43",
        "eventbridge-terminate-unsuccessful.json,    TERMINATE_ERROR, EVENTBRIDGE, web-asg,       i-4c4c21d39c794f72e",
    })
    void readsNotifications(String file, Kind kind, Envelope envelope, String group, String instance) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");
        assertEquals(kind, event.kind());
        assertEquals(envelope, event.envelope());
        assertEquals(group, event.groupName());
        assertEquals(instance, event.instanceId());
        assertNull(event.actionToken(), "notifications carry no token and are never completed");
        assertTrue(event.idempotencyKey().startsWith(kind.name() + "#"));
    }

    @Test
    void sameActivityThroughSnsAndEventBridgeSharesOneKey() {
        String sns = Fixtures.read("sns-launch.json");
        LifecycleEvent viaSns = parser.parse(sns, "m1");
        assertEquals("LAUNCHED#" + viaSns.requestId(), viaSns.idempotencyKey());
    }

    @ParameterizedTest(name = "{0} is a test notification via {1}")
    @CsvSource({"test-notification.json, DIRECT, nomad-clients", "sns-test-notification.json, SNS, salt-minions"})
    void readsTestNotifications(String file, Envelope envelope, String group) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");
        assertEquals(Kind.TEST_NOTIFICATION, event.kind());
        assertEquals(envelope, event.envelope());
        assertEquals(group, event.groupName());
        assertNull(event.instanceId());
    }

    @ParameterizedTest(name = "{0} asks to clean {2} / {3}")
    @CsvSource({
        "cleanup-request.json,            lifeguard:CLEANUP, web-7.example.com,                    10.0.3.17,   i-0a1b2c3d4e5f60718, DIRECT",
        "cleanup-request-lambda-mop.json, lambda_mop:DELETE, nomad-client-12.internal.example.com, 10.20.4.88,  ,                    DIRECT",
        "sns-cleanup-request.json,        lambda_mop:DELETE, salt-minion-3.example.com,            10.30.1.204, ,                    SNS",
    })
    void readsCleanupRequests(String file, String eventName, String node, String ip, String instance, Envelope envelope) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");
        assertEquals(Kind.CLEANUP_REQUEST, event.kind());
        assertEquals(eventName, event.eventName());
        assertEquals(node, event.nodeName());
        assertEquals(ip, event.ipAddress());
        assertEquals(instance, event.instanceId());
        assertEquals(envelope, event.envelope());
    }

    @ParameterizedTest(name = "{0} is refused: {1}")
    @CsvSource(delimiter = '|', value = {
        "not-json.txt                          | is not valid JSON",
        "empty.txt                             | is empty",
        "array.json                            | is not a JSON object",
        "unknown-shape.json                    | unknown message shape",
        "unknown-event.json                    | Event \"custom:SOMETHING_ELSE\" is not an Auto Scaling notification",
        "hook-missing-token.json               | LifecycleActionToken is not a lifecycle action token",
        "hook-bad-instance-id.json             | EC2InstanceId is not an EC2 instance id",
        "hook-bad-group.json                   | AutoScalingGroupName is not an Auto Scaling group name",
        "hook-group-too-long.json              | AutoScalingGroupName is not an Auto Scaling group name (AWS allows 1 to 255 characters (it has 256)",
        "hook-bad-hook-name.json               | LifecycleHookName is not a lifecycle hook name",
        "notification-missing-instance.json    | EC2InstanceId is not an EC2 instance id",
        "sns-message-not-json.json             | SNS Message is not",
        "eventbridge-bad-detail-type.json      | EventBridge detail-type is not an Auto Scaling event name",
        "hook-bad-destination.json             | Destination is not one of EC2, AutoScalingGroup, WarmPool: \"Warmpool\"",
        "eventbridge-bad-origin.json           | Origin is not one of EC2, AutoScalingGroup, WarmPool: \"S3\"",
        "eventbridge-wrong-source.json         | is not aws.autoscaling",
        "cleanup-request-nothing-to-clean.json | names nothing to clean",
        "cleanup-request-bad-ip.json           | IpAddress is not an IPv4 or IPv6 address",
        "cleanup-request-bad-node.json         | NodeName is not a host or node name",
    })
    void refusesWithAReason(String file, String reason) {
        RefusedMessageException refused = assertThrows(RefusedMessageException.class,
                () -> parser.parse(Fixtures.read("refused/" + file), "sqs-message-1"));
        assertTrue(refused.getMessage().contains(reason), () -> "reason was: " + refused.getMessage());
    }

    // --- warm pools: Origin and Destination ---

    @ParameterizedTest(name = "{0} is {1} via {2} ({4} -> {5})")
    @CsvSource({
        "hook-terminating-to-warm-pool.json,        TO_WARM_POOL,   DIRECT,      autoscaling:EC2_INSTANCE_TERMINATING, AutoScalingGroup, WarmPool",
        "sns-hook-terminating-to-warm-pool.json,    TO_WARM_POOL,   SNS,         autoscaling:EC2_INSTANCE_TERMINATING, AutoScalingGroup, WarmPool",
        "eventbridge-terminate-to-warm-pool.json,   TO_WARM_POOL,   EVENTBRIDGE, autoscaling:EC2_INSTANCE_TERMINATING, AutoScalingGroup, WarmPool",
        "hook-launching-into-warm-pool.json,        TO_WARM_POOL,   DIRECT,      autoscaling:EC2_INSTANCE_LAUNCHING,   EC2,              WarmPool",
        "eventbridge-launch-into-warm-pool.json,    TO_WARM_POOL,   EVENTBRIDGE, autoscaling:EC2_INSTANCE_LAUNCHING,   EC2,              WarmPool",
        "hook-launching-from-warm-pool.json,        FROM_WARM_POOL, DIRECT,      autoscaling:EC2_INSTANCE_LAUNCHING,   WarmPool,         AutoScalingGroup",
        "sns-hook-launching-from-warm-pool.json,    FROM_WARM_POOL, SNS,         autoscaling:EC2_INSTANCE_LAUNCHING,   WarmPool,         AutoScalingGroup",
        "eventbridge-launch-from-warm-pool.json,    FROM_WARM_POOL, EVENTBRIDGE, autoscaling:EC2_INSTANCE_LAUNCHING,   WarmPool,         AutoScalingGroup",
        // Terminated out of the pool: a real termination, the terminating steps run.
        "hook-terminating-warmpool.json,            TERMINATING,    DIRECT,      autoscaling:EC2_INSTANCE_TERMINATING, WarmPool,         EC2",
        "sns-hook-terminating.json,                 TERMINATING,    SNS,         autoscaling:EC2_INSTANCE_TERMINATING, AutoScalingGroup, EC2",
        "eventbridge-launch-lifecycle-action.json,  LAUNCHING,      EVENTBRIDGE, autoscaling:EC2_INSTANCE_LAUNCHING,   EC2,              AutoScalingGroup",
    })
    void originAndDestinationDecideTheWarmPoolKinds(String file, Kind kind, Envelope envelope, String transition, String origin,
                                                  String destination) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");

        assertEquals(kind, event.kind());
        assertEquals(envelope, event.envelope());
        assertEquals(transition, event.eventName(), "the transition is kept as Auto Scaling sent it");
        assertEquals(origin, event.origin());
        assertEquals(destination, event.destination());
        assertTrue(event.isHook(), "warm-pool hooks are hooks: they carry a token and are completed");
        assertTrue(event.idempotencyKey().startsWith("hook#" + event.instanceId() + "#"));
    }

    @Test
    void withoutOriginAndDestinationTheTransitionDecidesAlone() {
        LifecycleEvent event = parser.parse(Fixtures.read("hook-terminating.json"), "m");
        assertEquals(Kind.TERMINATING, event.kind());
        assertNull(event.origin());
        assertNull(event.destination());
    }

    @Test
    void aHookIsKeyedOnItsTokenGroupAndInstanceNotOnItsKind() {
        String body = Fixtures.read("hook-terminating.json");
        LifecycleEvent real = parser.parse(body, "m1");

        LifecycleEvent toWarmPool = parser.parse(body.replace("\"LifecycleTransition\"",
                "\"Destination\": \"WarmPool\", \"LifecycleTransition\""), "m2");
        LifecycleEvent otherInstance = parser.parse(body.replace(real.instanceId(), "i-0123456789abcdef0"), "m3");
        LifecycleEvent otherGroup = parser.parse(body.replace(real.groupName(), "someone-else"), "m4");

        assertEquals(Kind.TO_WARM_POOL, toWarmPool.kind());
        assertEquals(real.idempotencyKey(), toWarmPool.idempotencyKey(), "a copy claiming the warm pool is the same action");
        assertNotEquals(real.idempotencyKey(), otherInstance.idempotencyKey(), "a copy naming another instance is another event");
        assertNotEquals(real.idempotencyKey(), otherGroup.idempotencyKey(), "a copy naming another group is another event");
        assertNotEquals(real.idempotencyKey(), parser.parse(body.replace(real.actionToken(),
                "11111111-2222-3333-4444-555555555555"), "m5").idempotencyKey());
    }

    @Test
    void theTwoPausesOfALaunchThroughTheWarmPoolAreTwoEvents() {
        // Into the pool, then out of it: the same instance, each pause with its own message.
        String into = Fixtures.read("hook-launching-into-warm-pool.json");
        LifecycleEvent first = parser.parse(into, "m1");
        // Auto Scaling gives each lifecycle action its own token.
        String out = into.replace("\"Origin\": \"EC2\"", "\"Origin\": \"WarmPool\"")
                .replace("\"Destination\": \"WarmPool\"", "\"Destination\": \"AutoScalingGroup\"")
                .replace(first.actionToken(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
        LifecycleEvent second = parser.parse(out, "m2");

        assertEquals(Kind.TO_WARM_POOL, first.kind());
        assertEquals(Kind.FROM_WARM_POOL, second.kind());
        assertTrue(!first.idempotencyKey().equals(second.idempotencyKey()), "each pause is handled: " + first.idempotencyKey());
        assertEquals(first.idempotencyKey(), parser.parse(Fixtures.read("hook-launching-into-warm-pool.json"), "m3").idempotencyKey(),
                "a redelivery of the same pause has the same key");
    }

    @ParameterizedTest(name = "Origin or Destination {0} is refused")
    @CsvSource({"Warmpool", "warmpool", "ASG", "'WarmPool '", "''"})
    void originAndDestinationOutsideTheDocumentedValuesAreRefused(String value) {
        for (String field : List.of("Origin", "Destination")) {
            String body = Fixtures.read("hook-launching-from-warm-pool.json")
                    .replaceFirst("\"" + field + "\": \"[^\"]*\"", "\"" + field + "\": \"" + value + "\"");
            RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(body, "m"));
            assertEquals(field + " is not one of EC2, AutoScalingGroup, WarmPool: " + Identifiers.quote(value), refused.getMessage());
        }
        String numeric = Fixtures.read("hook-launching-from-warm-pool.json").replace("\"Origin\": \"WarmPool\"", "\"Origin\": 3");
        assertTrue(assertThrows(RefusedMessageException.class, () -> parser.parse(numeric, "m")).getMessage()
                .startsWith("Origin must be a string"));
    }

    // --- Auto Scaling events Lifeguard does not act on ---

    @ParameterizedTest(name = "{0} is ignored: {1}")
    @CsvSource(delimiter = '|', value = {
        "eventbridge-instance-refresh-started.json            | EC2 Auto Scaling Instance Refresh Started            | EVENTBRIDGE | web-asg | EC2 Auto Scaling Instance Refresh Started",
        "eventbridge-instance-refresh-checkpoint-reached.json | EC2 Auto Scaling Instance Refresh Checkpoint Reached | EVENTBRIDGE | web-asg | EC2 Auto Scaling Instance Refresh Checkpoint Reached",
        "eventbridge-unknown-autoscaling-event.json           | EC2 Auto Scaling Something New                       | EVENTBRIDGE | web-asg | other",
        "notification-unknown-event.json                      | autoscaling:SOMETHING_ELSE                           | DIRECT      | web-asg | other",
    })
    void wellFormedAutoScalingEventsLifeguardDoesNotKnowAreIgnored(String file, String name, Envelope envelope, String group,
                                                                   String label) {
        LifecycleEvent event = parser.parse(Fixtures.read(file), "sqs-message-1");

        assertEquals(Kind.IGNORED, event.kind());
        assertEquals(name, event.eventName());
        assertEquals(envelope, event.envelope());
        assertEquals(group, event.groupName());
        assertTrue(!event.isHook());
        assertTrue(event.idempotencyKey().startsWith("IGNORED#"));
        assertEquals(label, IgnoredEvent.label(event.eventName()));
        assertTrue(!Kind.IGNORED.isDispatched(), "no route and no profile key");
    }

    /** SSM's status event for one command invocation, as EventBridge delivers it. */
    private static String ssmStatus(String commandId, String instanceId, String document, String status) {
        return "{\"version\": \"0\", \"id\": \"6a7e8feb-b491-4cf7-a9f1-bf3703467718\","
                + " \"detail-type\": \"EC2 Command Invocation Status-change Notification\", \"source\": \"aws.ssm\","
                + " \"account\": \"123456789012\", \"time\": \"2026-12-03T10:00:00Z\", \"region\": \"us-east-1\","
                + " \"resources\": [\"arn:aws:ec2:us-east-1:123456789012:instance/" + instanceId + "\"],"
                + " \"detail\": {\"command-id\": \"" + commandId + "\", \"document-name\": \"" + document + "\","
                + " \"instance-id\": \"" + instanceId + "\", \"requested-date-time\": \"2026-12-03T09:59:00.000Z\","
                + " \"status\": \"" + status + "\"}}";
    }

    @Test
    void anSsmCommandStatusIsReadAsACommandStatusNotAnEventToClaim() {
        Object read = parser.read(ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f", "i-0abc1234def567890", "AWS-RunShellScript",
                "Success"), "m");
        CommandStatus status = (CommandStatus) read;
        assertEquals("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f", status.commandId());
        assertEquals("i-0abc1234def567890", status.instanceId());
        assertEquals("AWS-RunShellScript", status.documentName());
        assertTrue(status.mayHaveEnded());
        assertEquals("COMMAND_STATUS#6a7e8feb-b491-4cf7-a9f1-bf3703467718", status.idempotencyKey());
        assertFalse(((CommandStatus) parser.read(ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f", "i-0abc1234def567890",
                "AWS-RunShellScript", "InProgress"), "m")).mayHaveEnded(), "a status on the way to an end");
        // Where only an Auto Scaling event will do (plan, history), it is refused with the reason.
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(
                ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f", "i-0abc1234def567890", "AWS-RunShellScript", "Success"), "m"));
        assertTrue(refused.getMessage().contains("SSM command status"), refused.getMessage());
    }

    @Test
    void anSsmStatusIsCheckedAgainstSsmsPatternsAndAManagedNodesIsIgnored() {
        assertThrows(RefusedMessageException.class, () -> parser.read(ssmStatus("not-a-uuid", "i-0abc1234def567890",
                "AWS-RunShellScript", "Success"), "m"));
        assertThrows(RefusedMessageException.class, () -> parser.read(ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f",
                "i-0abc1234def567890", "AWS-RunShellScript; rm -rf /", "Success"), "m"));
        assertThrows(RefusedMessageException.class, () -> parser.read(ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f",
                "i-0abc1234def567890", "AWS-RunShellScript", "Suc cess"), "m"));
        // A command on an on-premises managed node: Lifeguard sends none there; recorded as ignored.
        LifecycleEvent managed = (LifecycleEvent) parser.read(ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f",
                "mi-0123456789abcdef0", "AWS-RunShellScript", "Success"), "m");
        assertEquals(Kind.IGNORED, managed.kind());
        assertEquals("EC2 Command Invocation Status-change Notification", managed.eventName());
        // Another aws.ssm detail type is ignored too, never dead-lettered.
        String commandLevel = ssmStatus("e8d3c0e4-4b5c-4b2f-9d3c-1a2b3c4d5e6f", "i-0abc1234def567890", "AWS-RunShellScript",
                "Success").replace("EC2 Command Invocation Status-change Notification", "EC2 Command Status-change Notification");
        assertEquals(Kind.IGNORED, ((LifecycleEvent) parser.read(commandLevel, "m")).kind());
    }

    @Test
    void anIgnoredNotificationCanComeThroughSns() {
        String inner = Fixtures.read("notification-unknown-event.json");
        String sns = "{\"Type\": \"Notification\", \"MessageId\": \"0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\", "
                + "\"TopicArn\": \"arn:aws:sns:us-east-1:123456789012:asg\", \"Message\": " + quoteJson(inner) + "}";
        LifecycleEvent event = parser.parse(sns, "m");
        assertEquals(Kind.IGNORED, event.kind());
        assertEquals(Envelope.SNS, event.envelope());
    }

    @Test
    void anUnknownEventWithoutItsGroupIsNotAWellFormedNotification() {
        RefusedMessageException refused = assertThrows(RefusedMessageException.class,
                () -> parser.parse("{\"Event\": \"autoscaling:NOPE\"}", "m"));
        assertTrue(refused.getMessage().startsWith("AutoScalingGroupName is not an Auto Scaling group name"), refused::getMessage);
    }

    private static String quoteJson(String text) {
        try {
            return new ObjectMapper().writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesDeeplyNestedJson() {
        String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(deep, "m"));
        assertTrue(refused.getMessage().contains("not valid JSON"), refused::getMessage);
    }

    @Test
    void refusesOversizedBodies() {
        String huge = "{\"Event\":\"" + "x".repeat(EventParser.MAX_BODY_CHARS) + "\"}";
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(huge, "m"));
        assertTrue(refused.getMessage().contains("larger than"), refused::getMessage);
    }

    @Test
    void launchErrorBeforeAnyInstanceExistedHasNoInstance() {
        String body = Fixtures.read("notification-launch-error.json").replace("i-11096a1805462ee60", "");
        LifecycleEvent event = parser.parse(body, "m");
        assertEquals(Kind.LAUNCH_ERROR, event.kind());
        assertNull(event.instanceId());
    }

    @Test
    void refusedValuesAreQuotedWithControlCharactersVisible() {
        String body = Fixtures.read("hook-launching.json").replace("i-8f263c7ac55ae1615", "i-1\\n2");
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(body, "m"));
        assertTrue(refused.getMessage().contains("\"i-1\\u000a2\""), refused::getMessage);
    }

    @Test
    void describeLeavesOutNotificationMetadata() {
        LifecycleEvent event = parser.parse(Fixtures.read("hook-launching.json"), "m");
        assertTrue(event.notificationMetadata() != null && !event.notificationMetadata().isEmpty());
        assertTrue(!event.describe().contains(event.notificationMetadata()));
    }

    // --- group names: AWS's pattern, not a stricter one ---

    /** One fixture per kind of message and envelope that carries a group name. */
    private static final List<String> CARRIERS = List.of(
            "hook-launching.json", "sns-hook-terminating.json", "eventbridge-launch-lifecycle-action.json",
            "notification-terminate.json", "sns-terminate.json", "eventbridge-terminate-successful.json",
            "test-notification.json", "sns-test-notification.json", "cleanup-request.json");

    /** Names Auto Scaling accepts, the console included, and one it accepts through the API only (':'). */
    private static final List<String> VALID_GROUP_NAMES = List.of(
            "web servers", "prod$green", "batch *", "g".repeat(255), "arn:aws:prod", "tab\there", "line\r\nbreak",
            "quote\"and\\back", "caf\u00e9 \ud83d\ude80", "x".repeat(253) + "\ud83d\ude80", "\u0085\u2028 \u007f");

    /** Names outside AWS's pattern: empty, too long (in UTF-16 code units), control characters, unpaired surrogates. */
    private static final List<String> INVALID_GROUP_NAMES = List.of(
            "", "g".repeat(256), "x".repeat(254) + "\ud83d\ude80", "nul\u0000", "bell\u0007", "esc\u001b[2J", "unit\u001f",
            "high\ud800", "\udc00low", "reversed\ude80\ud83d", "nonchar\ufffe", "nonchar\uffff");

    static Stream<Arguments> validGroupNamesInEveryEnvelope() {
        return CARRIERS.stream().flatMap(file -> VALID_GROUP_NAMES.stream().map(name -> Arguments.of(file, shown(name))));
    }

    static Stream<Arguments> invalidGroupNamesInEveryEnvelope() {
        return CARRIERS.stream().flatMap(file -> INVALID_GROUP_NAMES.stream().map(name -> Arguments.of(file, shown(name))));
    }

    /** A test name that test reports can hold: control characters and lone surrogates escaped. */
    private static Named<String> shown(String name) {
        return Named.of(Identifiers.quote(name) + " (" + name.length() + ")", name);
    }

    @ParameterizedTest(name = "{0} with group {1} is accepted")
    @MethodSource("validGroupNamesInEveryEnvelope")
    void acceptsEveryGroupNameAwsAccepts(String file, String group) {
        LifecycleEvent original = parser.parse(Fixtures.read(file), "sqs-message-1");

        LifecycleEvent event = parser.parse(withGroup(Fixtures.read(file), group), "sqs-message-1");

        assertEquals(group, event.groupName());
        assertEquals(original.kind(), event.kind());
        assertEquals(original.envelope(), event.envelope());
        assertEquals(original.instanceId(), event.instanceId());
        if (event.isHook()) {
            assertNotEquals(original.idempotencyKey(), event.idempotencyKey(), "a hook's key names its group");
        } else {
            assertEquals(original.idempotencyKey(), event.idempotencyKey());
        }
    }

    @ParameterizedTest(name = "{0} with group {1} is refused")
    @MethodSource("invalidGroupNamesInEveryEnvelope")
    void refusesGroupNamesOutsideAwsPattern(String file, String group) {
        String body = withGroup(Fixtures.read(file), group);

        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(body, "sqs-message-1"));

        assertTrue(refused.getMessage().startsWith("AutoScalingGroupName is not an Auto Scaling group name"), refused::getMessage);
    }

    @Test
    void theGroupNameLimitCountsUtf16CodeUnitsAsTheApiDoes() {
        assertTrue(Identifiers.isGroupName("x".repeat(253) + "\ud83d\ude80"), "253 + one pair = 255 code units");
        assertTrue(!Identifiers.isGroupName("x".repeat(254) + "\ud83d\ude80"), "254 + one pair = 256 code units");
        assertTrue(Identifiers.isGroupName("\ud83d\ude80".repeat(127)), "127 pairs = 254 code units");
    }

    @Test
    void aRefusedGroupNameIsQuotedWithItsControlCharactersVisible() {
        String body = withGroup(Fixtures.read("hook-launching.json"), "web\u0000\n\"asg\ud800");
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> parser.parse(body, "m"));
        assertTrue(refused.getMessage().endsWith(": \"web\\u0000\\u000a\\\"asg\\ud800\""), refused::getMessage);
    }

    @Test
    void describeQuotesAGroupNameThatCouldBreakALogLine() {
        LifecycleEvent event = parser.parse(withGroup(Fixtures.read("hook-launching.json"), "web\r\nFAKE log line \u2028"), "m");
        String line = event.describe();
        assertTrue(line.contains("group=\"web\\r\\nFAKE log line \\u2028\""), line);
        assertTrue(line.chars().noneMatch(c -> c < 0x20 || c == 0x2028), line);
        assertTrue(parser.parse(Fixtures.read("hook-launching.json"), "m").describe().contains(" group=web-asg "));
    }

    /** The fixture with its AutoScalingGroupName set to {@code group}, wherever its envelope keeps it. */
    private static String withGroup(String body, String group) {
        try {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = (ObjectNode) json.readTree(body);
            if (root.has("Message")) {
                ObjectNode inner = (ObjectNode) json.readTree(root.get("Message").textValue());
                inner.put("AutoScalingGroupName", group);
                root.put("Message", json.writeValueAsString(inner));
            } else if (root.has("detail")) {
                ((ObjectNode) root.get("detail")).put("AutoScalingGroupName", group);
            } else {
                root.put("AutoScalingGroupName", group);
            }
            String result = json.writeValueAsString(root);
            JsonNode check = json.readTree(result);
            assertTrue(check != null, "the rewritten fixture is JSON");
            return result;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new AssertionError(e);
        }
    }
}
