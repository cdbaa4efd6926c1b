package dev.lifeguard;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.LifecycleEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/** Event fixtures and the small helpers every test that talks to a stand-in needs. */
public final class Fixtures {
    private static final EventParser PARSER = new EventParser();

    private Fixtures() {
    }

    /** A body from src/test/resources/events. */
    public static String read(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/events", name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with a new token, request id and message id, so that each test's event is its own. */
    public static String fresh(String body) {
        LifecycleEvent event = PARSER.parse(body, "fixture");
        String result = body;
        for (String id : new String[] {event.actionToken(), event.requestId(), event.messageId()}) {
            if (id != null && !id.equals("fixture")) {
                result = result.replace(id, UUID.randomUUID().toString());
            }
        }
        return result;
    }

    /** A fresh terminating hook for a new instance of {@code group}. */
    public static String terminatingHook(String group) {
        String instanceId = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
        return fresh(read("hook-terminating.json")).replace("exampleAutoScalingGroup", group).replace("i-883a3a42", instanceId);
    }

    public static LifecycleEvent parse(String body) {
        return PARSER.parse(body, "fixture");
    }

    public static com.fasterxml.jackson.databind.JsonNode parseTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The form parameters of an Auto Scaling (query protocol) request. */
    public static Map<String, String> form(LoggedRequest request) {
        Map<String, String> form = new HashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            String[] kv = pair.split("=", 2);
            form.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return form;
    }

    /** A Lifeguard table as a version before the indexes created it: key {@code pk} alone. */
    public static void tableWithoutIndexes(software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamoDb, String table) {
        dynamoDb.createTable(r -> r.tableName(table)
                .billingMode(software.amazon.awssdk.services.dynamodb.model.BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk")
                        .attributeType(software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(software.amazon.awssdk.services.dynamodb.model.KeyType.HASH)));
    }

    /** Polls a condition observed over the wire, failing with its description when patience runs out. */
    public static void awaitUntil(String what, Duration patience, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(patience);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out after " + patience.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /**
     * The dead letters that mention {@code mentioning}: waits for the first, then looks once more,
     * since anything else about it would have been sent with the first. Those read are taken off
     * the queue.
     */
    public static java.util.List<software.amazon.awssdk.services.sqs.model.Message> deadLetters(
            software.amazon.awssdk.services.sqs.SqsClient sqs, String queueUrl, String mentioning, Duration patience) {
        java.util.List<software.amazon.awssdk.services.sqs.model.Message> found = new java.util.ArrayList<>();
        awaitUntil("a dead letter about " + mentioning, patience, () -> {
            sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1).messageAttributeNames("All"))
                    .messages().stream().filter(m -> m.body().contains(mentioning)).forEach(found::add);
            return !found.isEmpty();
        });
        sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(2).messageAttributeNames("All"))
                .messages().stream().filter(m -> m.body().contains(mentioning)).forEach(found::add);
        return found;
    }
}
