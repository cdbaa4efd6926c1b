package dev.lifeguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * GET /observe/status and the page at / on the management port, with the real routes, ElasticMQ,
 * DynamoDB Local and the fleet stand-in: a parked SSM drain, its group at max-in-flight with the
 * next drain waiting, the drain in recent outcomes once its command ends, the README's documented
 * fields, and what reading the status costs in AWS calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, StatusEndpointTest.Clients.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=status-test",
            "lifeguard.dead-letter-queue=status-test-dlq",
            "lifeguard.table=status-test",
            "lifeguard.table.create=true",
            "lifeguard.profiles=src/test/resources/profiles/status.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=4",
            "lifeguard.hook.heartbeat-seconds=2",
            // The lifeguard developer console, as local mode has it.
            "camel.main.dev-console-enabled=true",
            "camel.management.dev-console-enabled=true",
        })
class StatusEndpointTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    static final FleetStandIn FLEET = FleetStandIn.start();
    /** The management port, free when the class loads; Camel's properties read system properties. */
    static final int PORT = freePort();
    /** GetQueueAttributes calls made for the dead-letter queue. */
    static final AttributeReads DEPTH_READS = new AttributeReads("status-test-dlq");

    private final LocalAws aws = LocalAws.shared();
    private final HttpClient http = HttpClient.newHttpClient();

    /** The fleet stand-in's clients, and an SQS client that counts the dead-letter queue's attribute reads. */
    public static class Clients implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            FLEET.bindClients(camelContext);
            camelContext.getRegistry().bind("sqsClient", SqsClient.class, DEPTH_READS.client());
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            System.setProperty("lifeguard.health.port", String.valueOf(socket.getLocalPort()));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    void stop() {
        System.clearProperty("lifeguard.health.port");
        FLEET.close();
    }

    @Test
    @Order(1)
    void showsAParkedDrainItsGroupAtMaxInFlightWithTheNextWaitingThenTheDrainInRecent() throws Exception {
        FLEET.commandDuration(Duration.ofSeconds(4));
        LifecycleEvent first = send("one-at-a-time-web");
        Fixtures.awaitUntil("the first drain sent", PATIENCE, () -> FLEET.commandsFor(first.instanceId()).size() == 1);
        LifecycleEvent second = send("one-at-a-time-web");

        JsonNode parked = awaitInFlight(first, "PARKED");
        String commandId = FLEET.commandsFor(first.instanceId()).get(0).commandId();
        assertEquals("TERMINATING", parked.get("kind").asText());
        assertEquals(first.hookName(), parked.get("hook").asText());
        assertEquals(1, parked.get("attempt").asInt());
        assertEquals("drain", parked.at("/step/name").asText());
        assertEquals("ssm-command", parked.at("/step/type").asText());
        assertTrue(parked.at("/step/runningSeconds").asDouble() >= 0);
        assertEquals(commandId, parked.at("/parked/handle").asText());
        Instant.parse(parked.at("/parked/nextLookAt").asText());
        assertTrue(parked.at("/heartbeats/sent").asInt() >= 1);
        assertEquals("OK", parked.at("/heartbeats/lastResult").asText());
        assertEquals(3600, parked.get("heartbeatTimeoutSeconds").asLong());
        double left = parked.get("heartbeatSecondsLeft").asDouble();
        assertTrue(left > 3590 && left <= 3600, "beaten every 2 s, so nearly the whole hour left: " + left);
        double global = parked.get("globalSecondsLeft").asDouble();
        assertTrue(global > 172_000 && global <= 172_800, "the stand-in's 48 h from the hook's time: " + global);

        // The page's fleet view: the same events, read from the table's in-flight index, with this replica as owner.
        HttpResponse<String> fleetAnswer = get("/observe/fleet");
        assertEquals(200, fleetAnswer.statusCode());
        JsonNode fleet = Fixtures.parseTree(fleetAnswer.body());
        assertTrue(fleet.get("available").asBoolean(), fleetAnswer.body());
        JsonNode held = find(fleet.get("events"), "key", first.idempotencyKey());
        assertNotNull(held, "the parked drain is in the fleet view: " + fleetAnswer.body());
        assertEquals(status().get("replica").asText(), held.get("owner").asText());
        assertEquals(first.instanceId(), held.get("instance").asText());

        JsonNode waiting = awaitInFlight(second, "WAITING_FOR_SLOT");
        assertTrue(waiting.get("step").isNull());
        assertTrue(waiting.get("parked").isNull());
        JsonNode group = find(status().get("groups"), "group", "one-at-a-time-web");
        assertEquals(1, group.get("inFlight").asInt());
        assertEquals(1, group.get("maxInFlight").asInt());
        assertEquals(1, group.get("waiting").asInt());

        Fixtures.awaitUntil("the first drain in recent outcomes", PATIENCE,
                () -> find(status().get("recent"), "key", first.idempotencyKey()) != null);
        JsonNode ended = find(status().get("recent"), "key", first.idempotencyKey());
        assertEquals("SUCCEEDED", ended.get("outcome").asText());
        assertEquals("CONTINUE", ended.get("result").asText());
        assertTrue(ended.get("reason").isNull());
        assertEquals(first.instanceId(), ended.get("instance").asText());
        Instant.parse(ended.get("endedAt").asText());
        assertFalse(inFlightKeys().contains(first.idempotencyKey()));
        Fixtures.awaitUntil("the second drain in recent outcomes", Duration.ofSeconds(40),
                () -> find(status().get("recent"), "key", second.idempotencyKey()) != null);
    }

    @Test
    @Order(2)
    void readingTheStatusCallsNothingButTheDeadLetterDepthAtMostEvery30Seconds() throws Exception {
        Fixtures.awaitUntil("nothing in flight", PATIENCE, () -> status().get("inFlight").isEmpty());
        long fleetCalls = FLEET.totalCalls();
        int reads = DEPTH_READS.count();
        JsonNode last = null;
        for (int i = 0; i < 20; i++) {
            last = status();
        }
        assertEquals(fleetCalls, FLEET.totalCalls(), "Auto Scaling, SSM and EC2 are not called for the status");
        assertTrue(DEPTH_READS.count() - reads <= 1, "one dead-letter depth read in 20 status reads at most");
        assertEquals(0, last.at("/deadLetters/messages").asInt());
        assertTrue(last.at("/deadLetters/queue").asText().endsWith("status-test-dlq"));
        Instant.parse(last.at("/deadLetters/readAt").asText());
        assertTrue(last.at("/deadLetters/error").isNull());
        assertTrue(last.at("/profiles/file").asText().endsWith("src/test/resources/profiles/status.yaml"));
        assertEquals(12, last.at("/profiles/version").asText().length());
        Instant.parse(last.at("/profiles/loadedAt").asText());
        assertFalse(last.get("replica").asText().isEmpty());
    }

    @Test
    @Order(3)
    void theReadmeDocumentsExactlyTheFieldsProduced() throws Exception {
        JsonNode documented = Fixtures.parseTree(readmeExample());
        JsonNode produced = status();
        // The produced report holds an ended drain; an event in flight is added from the first test's reading.
        assertSameFields("", documented, produced);
        assertSameFields("/inFlight/0", documented.at("/inFlight/0"), lastParked);
    }

    @Test
    @Order(4)
    void servesThePageAtTheRootAndOnlyReads() throws Exception {
        HttpResponse<byte[]> page = http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        try (InputStream index = getClass().getClassLoader().getResourceAsStream("status/index.html")) {
            assertNotNull(index, "status/index.html on the classpath");
            assertEquals(new String(index.readAllBytes(), StandardCharsets.UTF_8), new String(page.body(), StandardCharsets.UTF_8));
        }
        assertEquals(404, get("/no-such-file.js").statusCode());
        assertEquals(404, get("/../application.properties").statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/observe/status"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(post.statusCode() == 404 || post.statusCode() == 405, "POST is not served: " + post.statusCode());
        HttpResponse<String> status = get("/observe/status");
        assertEquals("application/json", status.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(200, get("/observe/health").statusCode());
    }

    @Test
    @Order(5)
    void camelsDeveloperConsoleShowsTheSameReport() throws Exception {
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(uri("/q/dev/lifeguard")).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, json.statusCode(), json::body);
        JsonNode console = Fixtures.parseTree(json.body());
        assertSameFields("", Fixtures.parseTree(readmeExample()), console.has("lifeguard") ? console.get("lifeguard") : console);
        HttpResponse<String> text = get("/q/dev/lifeguard");
        assertEquals(200, text.statusCode());
        assertTrue(text.body().contains("Dead letters: 0 in "), text::body);
    }

    // ---- helpers ----

    private JsonNode lastParked;

    private JsonNode awaitInFlight(LifecycleEvent event, String state) {
        JsonNode[] found = new JsonNode[1];
        Fixtures.awaitUntil(event.describe() + " " + state, PATIENCE, () -> {
            JsonNode e = find(status().get("inFlight"), "key", event.idempotencyKey());
            found[0] = e;
            return e != null && state.equals(e.get("state").asText());
        });
        if (state.equals("PARKED")) {
            lastParked = found[0];
        }
        return found[0];
    }

    private List<String> inFlightKeys() {
        return StreamSupport.stream(status().get("inFlight").spliterator(), false).map(e -> e.get("key").asText()).toList();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.get(field).asText())) {
                return node;
            }
        }
        return null;
    }

    private LifecycleEvent send(String group) {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("status-test")).queueUrl();
        // Sent now, as Auto Scaling would: the global timeout counts from the hook's Time.
        String body = Fixtures.terminatingHook(group).replaceFirst("\"Time\"\\s*:\\s*\"[^\"]*\"",
                "\"Time\": \"" + Instant.now() + "\"");
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(FLEET.actions().sent(body)));
        return Fixtures.parse(body);
    }

    private JsonNode status() {
        try {
            HttpResponse<String> response = get("/observe/status");
            assertEquals(200, response.statusCode(), response::body);
            return Fixtures.parseTree(response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + PORT + path);
    }

    /** The example under "The status endpoint" in the README: the first json block after that heading. */
    static String readmeExample() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int heading = readme.indexOf("### The status endpoint");
        assertTrue(heading >= 0, "README has a section '### The status endpoint'");
        Matcher block = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(heading), "a json example in that section");
        return block.group(1);
    }

    /**
     * Every object has the same field names in both, recursively; arrays are compared by their first
     * elements, where both have one, and a null on either side ends the comparison there.
     */
    static void assertSameFields(String path, JsonNode documented, JsonNode produced) {
        if (documented == null || produced == null || documented.isNull() || produced.isNull()) {
            return;
        }
        if (documented.isObject() && produced.isObject()) {
            List<String> a = StreamSupport.stream(((Iterable<String>) documented::fieldNames).spliterator(), false).sorted().toList();
            List<String> b = StreamSupport.stream(((Iterable<String>) produced::fieldNames).spliterator(), false).sorted().toList();
            assertEquals(a, b, "fields of " + (path.isEmpty() ? "the report" : path) + ": README against GET /observe/status");
            for (String field : a) {
                assertSameFields(path + "/" + field, documented.get(field), produced.get(field));
            }
        } else if (documented.isArray() && produced.isArray() && !documented.isEmpty() && !produced.isEmpty()) {
            assertSameFields(path + "/0", documented.get(0), produced.get(0));
        } else {
            assertEquals(documented.isContainerNode(), produced.isContainerNode(), path + " is an object or array in both or neither");
        }
    }
}
