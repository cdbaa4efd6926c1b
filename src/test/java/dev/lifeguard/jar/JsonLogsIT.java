package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The jar's logs as a log collector reads them: standard output is not a terminal, so every line
 * on it is one JSON object with the time, level, logger, thread and message, and the lines about
 * an event carry its id, group, instance and transition (and the step, within one) wherever the
 * work ran: intake, step and work threads. The start-up line says where, as whom and on what the
 * replica works, and the secret key is nowhere in the output.
 */
class JsonLogsIT {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> LEVELS = Set.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
    private static final String TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

    private static LocalAws aws;
    private static LocalDynamoDbServer dynamoDbServer;
    private static DynamoDbClient dynamoDb;
    private static FleetStandIn fleet;

    @BeforeAll
    static void standIns() throws IOException {
        Files.createDirectories(Jar.LOGS);
        aws = LocalAws.shared();
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
    void everyLineIsOneJsonObjectAndAnEventsLinesCarryItsContext() throws Exception {
        String queue = "json-logs-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = aws.createQueue(queue, 30);
        String deadLetterUrl = aws.createQueue(queue + "-dlq", 30);
        fleet.commandDuration(Duration.ofSeconds(1));
        String drainedBody = hookBody("drain-logs");
        LifecycleEvent drained = Fixtures.parse(drainedBody);
        String failingBody = hookBody("drain-logs");
        LifecycleEvent failing = Fixtures.parse(failingBody);
        fleet.commandEnds(failing.instanceId(), "Failed");
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(drainedBody)));
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(failingBody)));

        Map<String, String> settings = Jar.settings(queue, "src/test/resources/profiles/engine-it.yaml",
                URI.create(aws.sqsEndpoint()), dynamoDbServer.endpoint(), fleet.endpoint(), fleet.endpoint(), fleet.endpoint());
        String secret = "secret-" + UUID.randomUUID();
        settings.put("AWS_SECRET_ACCESS_KEY", secret);
        settings.put("LIFEGUARD_MAX_ATTEMPTS", "1");
        // One intake thread: the refused bodies below are taken by the thread that handled events before.
        settings.put("LIFEGUARD_INTAKE_THREADS", "1");
        String log = "json-logs.log";
        Process lifeguard = Jar.start(settings, Path.of("."), log, true);
        int refused = 5;
        try {
            Fixtures.awaitUntil("the drained hook's outcome", PATIENCE, () -> "SUCCEEDED".equals(result(queue, drained)));
            Fixtures.awaitUntil("the failing hook's outcome", PATIENCE, () -> "GAVE_UP".equals(result(queue, failing)));
            // A late copy of the finished hook, then bodies that are no event, on the same intake threads.
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(drainedBody));
            Fixtures.awaitUntil("the late copy dropped", PATIENCE, () -> read(log).contains("Duplicate delivery"));
            for (int i = 0; i < refused; i++) {
                aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(Fixtures.read("refused/not-json.txt")));
            }
            Fixtures.awaitUntil("every refused body dead-lettered", PATIENCE, () -> lines(read(log)).stream()
                    .filter(line -> line.contains("sending it to the dead-letter queue")).count() == refused);
        } finally {
            lifeguard.destroy();
            assertTrue(lifeguard.waitFor(40, TimeUnit.SECONDS), "stops on SIGTERM");
        }

        String out = read(log);
        String errors = read(log + ".err");
        assertFalse(out.contains(secret) || errors.contains(secret), "the secret access key is nowhere in the output");
        assertEquals("", errors, "nothing but JSON lines: standard error stays empty");

        List<JsonNode> lines = new ArrayList<>();
        for (String line : lines(out)) {
            JsonNode node = JSON.readTree(line);
            assertTrue(node.isObject(), () -> "not a JSON object: " + line);
            Instant.parse(node.path("timestamp").asText());
            assertTrue(LEVELS.contains(node.path("level").asText()), () -> "level of " + line);
            assertFalse(node.path("logger").asText().isEmpty(), () -> "logger of " + line);
            assertFalse(node.path("thread").asText().isEmpty(), () -> "thread of " + line);
            assertTrue(node.path("message").isTextual(), () -> "message of " + line);
            lines.add(node);
        }
        assertTrue(lines.size() > 10, "the service logged its start, its events and its shutdown");

        // The start-up line: region, endpoints, credentials' source, worker, queues, table, profiles, dry-run.
        List<JsonNode> starting = matching(lines, line -> line.path("message").asText().startsWith("Lifeguard starting:"));
        assertEquals(1, starting.size(), "one start-up line");
        JsonNode start = starting.get(0);
        String startup = start.path("message").asText();
        assertEquals("INFO", start.path("level").asText());
        for (String expected : List.of("region us-east-1", "sqs=" + aws.sqsEndpoint(), "dynamodb=" + dynamoDbServer.endpoint(),
                "autoscaling=" + fleet.endpoint(), "ssm=" + fleet.endpoint(), "ec2=" + fleet.endpoint(),
                "credentials from environment variables (CREDENTIALS_ENV_VARS)", "queues [" + queueUrl + " (dead letters to " + deadLetterUrl + ")]",
                "table " + queue, "profiles src/test/resources/profiles/engine-it.yaml", "dry-run false")) {
            assertTrue(startup.contains(expected), () -> "start-up line lacks '" + expected + "': " + startup);
        }
        Matcher worker = Pattern.compile("worker (\\S+),").matcher(startup);
        assertTrue(worker.find(), startup);
        assertEquals(item(queue, drained).get("owner").s(), worker.group(1), "the worker named is the claims' owner");

        // The verdict of each hook, logged on a work thread, in its event's context.
        JsonNode succeeded = one(lines, line -> line.path("message").asText().contains(": SUCCEEDED")
                && drained.idempotencyKey().equals(line.path("eventId").asText()));
        assertContext(succeeded, drained, null);
        assertEquals("dev.lifeguard.engine.EventEngine", succeeded.path("logger").asText());
        assertTrue(succeeded.path("thread").asText().startsWith("lifeguard-work"), succeeded::toString);
        JsonNode gaveUp = one(lines, line -> line.path("message").asText().contains(": GAVE_UP")
                && failing.idempotencyKey().equals(line.path("eventId").asText()));
        assertContext(gaveUp, failing, null);

        // The failed drain, logged while its step was looked at: the step is named too.
        JsonNode drainFailed = one(lines, line -> line.path("logger").asText().endsWith("SsmCommand")
                && line.path("message").asText().contains("ended Failed"));
        assertEquals("WARN", drainFailed.path("level").asText());
        assertContext(drainFailed, failing, "drain");

        // The late copy, dropped on an intake thread, in its event's context.
        JsonNode duplicate = one(lines, line -> line.path("message").asText().startsWith("Duplicate delivery"));
        assertContext(duplicate, drained, null);

        // Bodies that are no event carry no event's fields, though their thread handled an event before.
        List<JsonNode> deadLettered = matching(lines, line -> line.path("message").asText().contains("sending it to the dead-letter queue"));
        assertEquals(refused, deadLettered.size());
        for (JsonNode line : deadLettered) {
            assertEquals(duplicate.path("thread").asText(), line.path("thread").asText(), "the intake thread");
            assertTrue(line.path("eventId").isMissingNode() && line.path("group").isMissingNode(), line::toString);
        }
        // No line about one event carries another's id.
        for (JsonNode line : lines) {
            String message = line.path("message").asText();
            if (line.has("eventId") && message.contains(drained.instanceId())) {
                assertEquals(drained.idempotencyKey(), line.path("eventId").asText(), line::toString);
            }
            if (line.has("eventId") && message.contains(failing.instanceId())) {
                assertEquals(failing.idempotencyKey(), line.path("eventId").asText(), line::toString);
            }
        }
    }

    @Test
    void theOverrideWritesTextAsInATerminal() throws Exception {
        Process lifeguard = Jar.start(Map.of("AWS_REGION", "us-east-1", "LIFEGUARD_LOG_FORMAT", "text"), Path.of("."),
                "text-logs.log", true);
        assertTrue(lifeguard.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, lifeguard.exitValue(), "no queue set");
        List<String> lines = lines(read("text-logs.log"));
        assertFalse(lines.isEmpty());
        Pattern text = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) \\[[^]]+] (INFO|WARN|ERROR) \\S+ - .*");
        for (String line : lines) {
            assertTrue(text.matcher(line).matches(), () -> "not a text line: " + line);
        }
        assertTrue(lines.get(0).contains("[main] INFO MainSupport - Apache Camel"), lines.get(0));
        assertTrue(read("text-logs.log.err").contains("lifeguard: Lifeguard is not configured"));
    }

    private static void assertContext(JsonNode line, LifecycleEvent event, String step) {
        assertEquals(event.idempotencyKey(), line.path("eventId").asText(), line::toString);
        assertEquals(event.groupName(), line.path("group").asText(), line::toString);
        assertEquals(event.instanceId(), line.path("instance").asText(), line::toString);
        assertEquals(TERMINATING, line.path("transition").asText(), line::toString);
        if (step == null) {
            assertTrue(line.path("step").isMissingNode(), line::toString);
        } else {
            assertEquals(step, line.path("step").asText(), line::toString);
        }
    }

    private static String hookBody(String group) {
        String instanceId = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
        return Fixtures.fresh(Fixtures.read("hook-terminating.json"))
                .replace("exampleAutoScalingGroup", group)
                .replace("i-883a3a42", instanceId);
    }

    private static List<JsonNode> matching(List<JsonNode> lines, Predicate<JsonNode> which) {
        return lines.stream().filter(which).toList();
    }

    private static JsonNode one(List<JsonNode> lines, Predicate<JsonNode> which) {
        List<JsonNode> found = matching(lines, which);
        assertEquals(1, found.size(), () -> "lines found: " + found);
        return found.get(0);
    }

    private static Map<String, AttributeValue> item(String table, LifecycleEvent event) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(event.idempotencyKey())))).item();
        assertNotNull(item);
        return item;
    }

    private static String result(String table, LifecycleEvent event) {
        try {
            Map<String, AttributeValue> item = item(table, event);
            return item.containsKey("result") && "DONE".equals(item.get("status") == null ? null : item.get("status").s())
                    ? item.get("result").s() : null;
        } catch (RuntimeException e) {
            return null; // the table is not there yet
        }
    }

    private static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }

    private static String read(String name) {
        try {
            return Files.readString(Jar.LOGS.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
