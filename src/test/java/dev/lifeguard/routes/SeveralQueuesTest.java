package dev.lifeguard.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import dev.lifeguard.observe.StatusReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.aws2.sqs.Sqs2Endpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Two intake queues read at once (lifeguard.more-queues), over the wire to ElasticMQ: each has
 * its own route, a message is deleted, kept hidden and dead-lettered on the queue it came from,
 * and never on the other one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=several-main",
            "lifeguard.dead-letter-queue=several-main-dlq",
            "lifeguard.more-queues=several_Team-B=several-b-dlq",
            "lifeguard.table=several-test",
            "lifeguard.table.create=true",
            "lifeguard.max-attempts=3",
            "lifeguard.profiles=src/test/resources/profiles/intake.yaml",
            "lifeguard.poll.wait-seconds=1",
            // Extended once half has passed, looked at every second: 4 s leaves a second to spare.
            "lifeguard.visibility-seconds=4",
            "lifeguard.hook.heartbeat-seconds=1",
        })
class SeveralQueuesTest {
    private static final Duration PATIENCE = IntakeWorld.PATIENCE;
    private static final String MAIN = "several-main";
    private static final String TEAM_B = "several_Team-B";

    private final LocalAws aws = LocalAws.shared();
    private final IntakeWorld world = new IntakeWorld(aws, "several-test");
    private final EventParser parser = new EventParser();

    @BeanInject
    CamelContext context;

    @Test
    void eachQueueIsReadByARouteOfItsOwn() {
        Map<String, String> read = new java.util.TreeMap<>();
        for (Route route : context.getRoutes()) {
            if (route.getEndpoint() instanceof Sqs2Endpoint sqs) {
                read.put(route.getRouteId(), sqs.getConfiguration().getQueueUrl());
            }
        }
        assertEquals(Map.of("sqs-intake", world.queueUrl(MAIN), "sqs-intake-several-team-b", world.queueUrl(TEAM_B)), read);
        read.keySet().forEach(id -> assertTrue(context.getRouteController().getRouteStatus(id).isStarted(), id));
    }

    @Test
    void hooksOnEitherQueueAreCompletedOnceAndDeletedFromTheirOwnQueue() {
        String onMain = Fixtures.fresh(Fixtures.read("hook-terminating.json"));
        String onB = Fixtures.fresh(Fixtures.read("sns-hook-terminating.json"));
        LifecycleEvent first = parser.parse(onMain, "m");
        LifecycleEvent second = parser.parse(onB, "m");
        send(MAIN, onMain);
        send(TEAM_B, onB);

        world.awaitOutcome(first.idempotencyKey(), "SUCCEEDED");
        world.awaitOutcome(second.idempotencyKey(), "SUCCEEDED");
        Fixtures.awaitUntil("both queues are empty", PATIENCE, () -> world.queueDepth(MAIN) == 0 && world.queueDepth(TEAM_B) == 0);
        assertEquals(1, world.completionsOf(first.actionToken()).size());
        assertEquals(1, world.completionsOf(second.actionToken()).size());
    }

    @ParameterizedTest(name = "refused on {0}: dead-lettered to {1}")
    @CsvSource({
        "several-main,   several-main-dlq, several-b-dlq",
        "several_Team-B, several-b-dlq,    several-main-dlq",
    })
    void aMessageRefusedOnAQueueGoesToItsOwnDeadLetterQueueOnly(String queue, String itsOwn, String theOther) {
        String body = "not json " + UUID.randomUUID();
        String messageId = send(queue, body);

        Message dead = awaitDeadLetter(itsOwn, messageId);
        assertEquals(body, dead.body());
        assertTrue(dead.messageAttributes().get("LifeguardReason").stringValue().contains("is not valid JSON"));
        Fixtures.awaitUntil("the queue is empty", PATIENCE, () -> world.queueDepth(queue) == 0);
        assertTrue(deadLettersFrom(theOther, messageId).isEmpty(), "nothing reaches the other queue's dead-letter queue");
    }

    @Test
    void aHookGivenUpOnAfterItsLastDeliveryIsDeadLetteredWhereItCameFrom() {
        String body = IntakeWorld.steered(Fixtures.read("eventbridge-launch-lifecycle-action.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("fail-always-" + IntakeWorld.minion(event), "highstate failed on every attempt");
        String messageId = send(TEAM_B, body);

        Map<String, AttributeValue> outcome = world.awaitOutcome(event.idempotencyKey(), "GAVE_UP");
        assertEquals("3", outcome.get("attempts").n(), "each retry made the message visible again on its own queue");
        assertEquals(List.of("ABANDON"), world.completionsOf(event.actionToken()).stream()
                .map(c -> Fixtures.form(c).get("LifecycleActionResult")).toList());
        Message dead = awaitDeadLetter("several-b-dlq", messageId);
        assertTrue(dead.messageAttributes().get("LifeguardReason").stringValue().contains("highstate failed on every attempt"));
        assertTrue(deadLettersFrom("several-main-dlq", messageId).isEmpty());
    }

    @Test
    void aStepLongerThanTheVisibilityTimeoutKeepsItsMessageHiddenOnTheSecondQueue() {
        String body = IntakeWorld.steered(Fixtures.read("hook-launching.json"));
        LifecycleEvent event = parser.parse(body, "m");
        FakeTools.write("slow-" + IntakeWorld.minion(event), "9");
        NotifyBuilder deliveries = new NotifyBuilder(context).fromRoute("sqs-intake-several-team-b")
                .filter(e -> String.valueOf(e.getProperty("LifeguardRawBody")).contains(event.actionToken()))
                .whenDone(2).create();
        send(TEAM_B, body);

        world.awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
        Fixtures.awaitUntil("the queue is empty", PATIENCE, () -> world.queueDepth(TEAM_B) == 0);
        assertFalse(deliveries.matches(), "the message was handed out once: its visibility was extended on its own queue");
        assertEquals(1, world.completionsOf(event.actionToken()).size());
    }

    @Test
    void theStatusReportShowsEveryDeadLetterQueueAndTheirTotal() {
        send(TEAM_B, "not json " + UUID.randomUUID());
        Fixtures.awaitUntil("a dead letter on several-b-dlq", PATIENCE, () -> visible("several-b-dlq") > 0);

        ObjectNode status = context.getRegistry().lookupByNameAndType("statusReport", StatusReport.class).json();
        List<String> queues = new ArrayList<>();
        long each = 0;
        for (JsonNode q : status.get("deadLetterQueues")) {
            queues.add(q.get("queue").asText());
            each += q.get("messages").asLong();
        }
        assertEquals(List.of(world.queueUrl("several-main-dlq"), world.queueUrl("several-b-dlq")), queues);
        assertEquals(each, status.get("deadLetters").get("messages").asLong(), "the figure is every dead-letter queue's together");
        assertTrue(status.get("deadLetters").get("messages").asLong() >= 1);
    }

    // --- helpers: everything below talks to the stand-ins over their APIs ---

    private String send(String queue, String body) {
        aws.actions().sent(body);
        return aws.sqs().sendMessage(r -> r.queueUrl(world.queueUrl(queue)).messageBody(body)).messageId();
    }

    private int visible(String name) {
        return Integer.parseInt(aws.sqs().getQueueAttributes(r -> r.queueUrl(world.queueUrl(name))
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    /** Dead letters from one source message, looked at without taking them off the queue. */
    private List<Message> deadLettersFrom(String queue, String sourceMessageId) {
        return aws.sqs().receiveMessage(r -> r.queueUrl(world.queueUrl(queue)).maxNumberOfMessages(10).waitTimeSeconds(1)
                .visibilityTimeout(0).messageAttributeNames("All")).messages().stream()
                .filter(m -> m.messageAttributes().containsKey("LifeguardSourceMessageId")
                        && m.messageAttributes().get("LifeguardSourceMessageId").stringValue().equals(sourceMessageId))
                .toList();
    }

    private Message awaitDeadLetter(String queue, String sourceMessageId) {
        Message[] found = new Message[1];
        Fixtures.awaitUntil("a dead letter for " + sourceMessageId + " on " + queue, PATIENCE, () -> {
            List<Message> dead = deadLettersFrom(queue, sourceMessageId);
            found[0] = dead.isEmpty() ? null : dead.get(0);
            return found[0] != null;
        });
        return found[0];
    }
}
