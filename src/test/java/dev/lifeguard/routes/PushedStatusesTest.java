package dev.lifeguard.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * SSM's status events end parked waits: with lifeguard.ssm.status-events on, a command is looked
 * at no sooner than 6 s after it was sent (the fallback pace), so a hook completed a moment after its 2 s command ended
 * was ended by the event; a hook whose event is lost ends at the fallback look; a status for a
 * command Lifeguard never sent is recorded as ignored. Real routes, ElasticMQ, DynamoDB Local and
 * the fleet stand-in, which publishes the events to the intake queue as EventBridge would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, PushedStatusesTest.Fleet.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=pushed-test",
            "lifeguard.dead-letter-queue=pushed-test-dlq",
            "lifeguard.table=pushed-test",
            "lifeguard.table.create=true",
            "lifeguard.profiles=src/test/resources/profiles/parked.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=4",
            "lifeguard.hook.heartbeat-seconds=2",
            "lifeguard.ssm.status-events=true",
            "lifeguard.ssm.look-seconds=" + PushedStatusesTest.LOOK_SECONDS,
        })
class PushedStatusesTest {
    /** Looks fall between half and one and a half times this after the last: 6 to 18 s. */
    static final int LOOK_SECONDS = 12;
    private static final Duration COMMAND = Duration.ofSeconds(2);
    private static final String QUEUE = "pushed-test";
    static final FleetStandIn FLEET = FleetStandIn.start();

    private final LocalAws aws = LocalAws.shared();

    /** Auto Scaling, SSM and EC2 clients pointed at the fleet stand-in. */
    public static class Fleet implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            FLEET.bindClients(camelContext);
        }
    }

    @AfterAll
    void stop() {
        FLEET.close();
    }

    @Test
    void aStatusEventEndsTheWaitAtOnceWithOneLookAndALostOneEndsAtTheFallbackLook() {
        FLEET.commandDuration(COMMAND);
        FLEET.publishStatusEvents(body -> aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(body)), 0);
        List<LifecycleEvent> pushed = send("park-pushed", 4);
        for (LifecycleEvent hook : pushed) {
            Fixtures.awaitUntil("completion of " + hook.describe(), Duration.ofSeconds(30),
                    () -> !FLEET.completions(hook.actionToken()).isEmpty());
        }
        for (LifecycleEvent hook : pushed) {
            FleetStandIn.Command command = FLEET.commandsFor(hook.instanceId()).get(0);
            long took = FLEET.completions(hook.actionToken()).get(0).atMillis() - command.sentAtMillis();
            // Ended by its event: before any fallback look, 6 s at the soonest after the command was sent.
            assertTrue(took < COMMAND.toMillis() + 3_000, () -> hook.describe() + " completed " + took + " ms after its command");
            // The event only made it look: SSM's GetCommandInvocation, saying Success, ended the step.
            assertEquals(2, FLEET.callsFor(command.commandId()), "SendCommand and one GetCommandInvocation, when its event came");
            assertEquals(1, FLEET.completions(hook.actionToken()).size());
        }

        // Every event lost on the way: each wait ends at its first fallback look all the same.
        FLEET.publishStatusEvents(body -> aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(body)), 1);
        List<LifecycleEvent> lost = send("park-lost", 2);
        for (LifecycleEvent hook : lost) {
            Fixtures.awaitUntil("completion of " + hook.describe(), Duration.ofSeconds(40),
                    () -> !FLEET.completions(hook.actionToken()).isEmpty());
        }
        for (LifecycleEvent hook : lost) {
            FleetStandIn.Command command = FLEET.commandsFor(hook.instanceId()).get(0);
            assertTrue(FLEET.statusEventsLost().contains(command.commandId()));
            long took = FLEET.completions(hook.actionToken()).get(0).atMillis() - command.sentAtMillis();
            assertTrue(took >= LOOK_SECONDS * 500L - 500, () -> hook.describe() + " completed " + took + " ms after its command,"
                    + " before any look was due");
            assertEquals(2, FLEET.callsFor(command.commandId()), "SendCommand and the one fallback look");
        }
    }

    /**
     * A status event ends nothing by itself: what SSM's GetCommandInvocation says decides. A forged
     * "Success" for a command still running costs one look and ends nothing; a replay of the real
     * status after the hook ended asks SSM nothing and completes nothing twice.
     */
    @Test
    void aForgedSuccessEndsNothingAndAReplayedStatusChangesNothing() {
        FLEET.commandDuration(Duration.ofSeconds(6));
        FLEET.publishStatusEvents(body -> aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(body)), 0);
        LifecycleEvent hook = send("park-forged-status", 1).get(0);
        Fixtures.awaitUntil("the drain sent", Duration.ofSeconds(20), () -> FLEET.commandsFor(hook.instanceId()).size() == 1);
        FleetStandIn.Command command = FLEET.commandsFor(hook.instanceId()).get(0);
        String forged = FleetStandIn.statusEvent(command.commandId(), hook.instanceId(), command.document(), "Success");

        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(forged));
        Fixtures.awaitUntil("SSM asked about the command the forged status names", Duration.ofSeconds(5),
                () -> FLEET.callsFor(command.commandId()) >= 2);
        assertEquals(List.of(), FLEET.completions(hook.actionToken()), "SSM said InProgress: the hook is not completed");

        Fixtures.awaitUntil("completion of " + hook.describe(), Duration.ofSeconds(30),
                () -> !FLEET.completions(hook.actionToken()).isEmpty());
        long took = FLEET.completions(hook.actionToken()).get(0).atMillis() - command.sentAtMillis();
        assertTrue(took >= 6_000, () -> "completed " + took + " ms after its command, before the command ended");
        assertEquals(3, FLEET.callsFor(command.commandId()), "SendCommand, the forged status's look, the real status's look");

        // The real status again, replayed after the hook ended: deleted, nothing asked, nothing completed.
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(
                FleetStandIn.statusEvent(command.commandId(), hook.instanceId(), command.document(), "Success")));
        Fixtures.awaitUntil("the replayed status deleted", Duration.ofSeconds(20), () -> queueIsEmpty());
        assertEquals(3, FLEET.callsFor(command.commandId()));
        assertEquals(1, FLEET.completions(hook.actionToken()).size());
    }

    @Test
    void aStatusForACommandLifeguardDidNotSendIsRecordedAsIgnoredAndDeleted() {
        String commandId = UUID.randomUUID().toString();
        String body = FleetStandIn.statusEvent(commandId, "i-0abc1234def567890", "AWS-RunShellScript", "Success");
        String eventId = Fixtures.parseTree(body).get("id").asText();
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(body));
        Fixtures.awaitUntil("the status event recorded", Duration.ofSeconds(20), () -> item("COMMAND_STATUS#" + eventId).containsKey("result"));
        Map<String, AttributeValue> item = item("COMMAND_STATUS#" + eventId);
        assertEquals("IGNORED", item.get("result").s());
        assertEquals(commandId, item.get("commandId").s());
        assertEquals("Success", item.get("commandStatus").s());
        assertTrue(!item.containsKey("instanceId"), "an ignored command status does not show in the instance's history");
        Fixtures.awaitUntil("the status event deleted from the queue", Duration.ofSeconds(20), () -> queueIsEmpty());
        assertEquals(0, FLEET.callsFor(commandId), "nothing is asked of SSM for a command no claim waits on");
    }

    private Map<String, AttributeValue> item(String key) {
        Map<String, AttributeValue> item = aws.dynamoDb().getItem(r -> r.tableName("pushed-test")
                .key(Map.of("pk", AttributeValue.fromS(key))).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private boolean queueIsEmpty() {
        Map<String, String> attributes = new java.util.HashMap<>();
        aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl()).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings()
                .forEach(attributes::put);
        return "0".equals(attributes.get("ApproximateNumberOfMessages")) && "0".equals(attributes.get("ApproximateNumberOfMessagesNotVisible"));
    }

    private String queueUrl() {
        return aws.sqs().getQueueUrl(r -> r.queueName(QUEUE)).queueUrl();
    }

    private List<LifecycleEvent> send(String group, int count) {
        List<LifecycleEvent> hooks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = Fixtures.terminatingHook(group);
            hooks.add(Fixtures.parse(body));
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl()).messageBody(FLEET.actions().sent(body)));
        }
        return hooks;
    }
}
