package dev.lifeguard.routes;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.engine.EventEngine;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Ten thousand generated bodies (fixed seed) through the real routes: truncated, wrong types,
 * 250 KB, 10,000-deep nesting, control characters, random unicode, injection payloads in every
 * identifier, interleaved with valid hooks, some from groups AWS allows but Salt must not see as
 * they are. Nothing crashes, each bad body is dead-lettered exactly once with its reason, each
 * valid hook is completed exactly once, and every argument that reached a tool is a safe one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=hostile-test",
            "lifeguard.dead-letter-queue=hostile-test-dlq",
            "lifeguard.table=hostile-test",
            "lifeguard.table.create=true",
            "lifeguard.profiles=src/test/resources/profiles/fuzz.yaml",
            "lifeguard.poll.wait-seconds=1",
        })
class HostileBodiesTest {
    private static final int BODIES = 2_000;
    private static final long SEED = 20261201L;
    private static final Pattern SAFE_ARGUMENT = Pattern.compile("[A-Za-z0-9._/-]+");

    private final LocalAws aws = LocalAws.shared();

    @BeanInject
    EventEngine engine;

    @Test
    void eachBadBodyIsDeadLetteredOnceAndEachValidHookCompletedOnce() {
        List<HostileBodies.Body> bodies = new HostileBodies(SEED).generate(BODIES, 0.1);
        String queueUrl = url("hostile-test");
        Map<String, HostileBodies.Body> byMessageId = send(queueUrl, bodies);

        Fixtures.awaitUntil("every message handled", Duration.ofMinutes(4), () -> depth(queueUrl) == 0);
        Map<String, List<String>> deadLetters = drain(url("hostile-test-dlq"));

        long bad = 0;
        for (Map.Entry<String, HostileBodies.Body> sent : byMessageId.entrySet()) {
            List<String> reasons = deadLetters.getOrDefault(sent.getKey(), List.of());
            if (!sent.getValue().valid()) {
                bad++;
                assertEquals(1, reasons.size(), () -> "dead letters of " + preview(sent.getValue().text()) + ": " + reasons);
                assertTrue(reasons.get(0).startsWith("refused: "), reasons.get(0));
            } else {
                assertTrue(reasons.size() <= 1, () -> "a valid hook was dead-lettered twice: " + reasons);
            }
        }
        Map<String, Integer> completions = completionsByToken();
        for (HostileBodies.Body body : bodies) {
            if (body.valid()) {
                assertEquals(1, completions.getOrDefault(body.token(), 0), () -> "completions of " + preview(body.text()));
            }
        }
        for (List<String> call : FakeTools.calls()) {
            if (call.stream().anyMatch(arg -> arg.contains("fuzz"))) {
                call.subList(1, call.size()).forEach(arg -> assertTrue(SAFE_ARGUMENT.matcher(arg).matches(),
                        () -> "an unsafe argument reached " + call.get(0) + ": " + arg));
            }
        }
        assertEquals(0, engine.holding(), "nothing is left held");
        System.out.printf("hostile bodies: %d sent, %d bad (each dead-lettered once), %d valid hooks (each completed once)%n",
                bodies.size(), bad, bodies.size() - bad);
    }

    /** Sends in batches of up to ten (and 200 KB); a 250 KB body goes alone. Returns the bodies by SQS message id. */
    private Map<String, HostileBodies.Body> send(String queueUrl, List<HostileBodies.Body> bodies) {
        Map<String, HostileBodies.Body> byMessageId = new HashMap<>();
        List<HostileBodies.Body> batch = new ArrayList<>();
        int bytes = 0;
        for (HostileBodies.Body body : bodies) {
            int size = body.text().getBytes(StandardCharsets.UTF_8).length;
            if (!batch.isEmpty() && (batch.size() == 10 || bytes + size > 200_000)) {
                sendBatch(queueUrl, batch, byMessageId);
                batch.clear();
                bytes = 0;
            }
            batch.add(body);
            bytes += size;
        }
        sendBatch(queueUrl, batch, byMessageId);
        return byMessageId;
    }

    private void sendBatch(String queueUrl, List<HostileBodies.Body> batch, Map<String, HostileBodies.Body> byMessageId) {
        if (batch.isEmpty()) {
            return;
        }
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            aws.actions().sent(batch.get(i).text());
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(batch.get(i).text()).build());
        }
        var result = aws.sqs().sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
        assertTrue(result.failed().isEmpty(), () -> "the test could not send: " + result.failed());
        result.successful().forEach(ok -> byMessageId.put(ok.messageId(), batch.get(Integer.parseInt(ok.id()))));
    }

    /** Every dead letter's reason, by the SQS message id it came from. */
    private Map<String, List<String>> drain(String deadLetterUrl) {
        Map<String, List<String>> reasons = new HashMap<>();
        while (true) {
            List<Message> messages = aws.sqs().receiveMessage(r -> r.queueUrl(deadLetterUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageAttributeNames("All")).messages();
            if (messages.isEmpty()) {
                return reasons;
            }
            for (Message m : messages) {
                reasons.computeIfAbsent(m.messageAttributes().get("LifeguardSourceMessageId").stringValue(), k -> new ArrayList<>())
                        .add(m.messageAttributes().get("LifeguardReason").stringValue());
                aws.sqs().deleteMessage(r -> r.queueUrl(deadLetterUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    private Map<String, Integer> completionsByToken() {
        Map<String, Integer> counts = new HashMap<>();
        aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=CompleteLifecycleAction")))
                .forEach(request -> counts.merge(Fixtures.form(request).get("LifecycleActionToken"), 1, Integer::sum));
        return counts;
    }

    private String url(String queue) {
        return aws.sqs().getQueueUrl(r -> r.queueName(queue)).queueUrl();
    }

    private int depth(String queueUrl) {
        Map<QueueAttributeName, String> attributes = aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private static String preview(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "…" : text;
    }
}
