package dev.lifeguard.store;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
import dev.lifeguard.steps.StepsReport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The in-flight index is sparse: an event is in it from its claim until its outcome (a retry
 * keeps it there, a refusal takes it out), read with the store's own writes in DynamoDB Local;
 * and a view that may not query, or a table without the index, says so instead of failing.
 */
class FleetViewTest {
    private static final String TABLE = "fleet-view-" + UUID.randomUUID();
    private static final Duration LEASE = Duration.ofSeconds(300);
    private static final Duration RETENTION = Duration.ofDays(30);
    private static DynamoDbClient dynamoDb;

    private final MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    @BeforeAll
    static void table() {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
    }

    @Test
    void anEventIsInFlightFromItsClaimUntilItsOutcomeAndARetryStaysIn() {
        Claims worker = new Claims(dynamoDb, TABLE, "worker-a", LEASE, RETENTION, clock);
        OutcomeRecorder outcomes = new OutcomeRecorder(dynamoDb, TABLE, "worker-a", false, RETENTION, clock);
        FleetView view = new FleetView(dynamoDb, TABLE);
        LifecycleEvent done = hook();
        LifecycleEvent retried = hook();
        LifecycleEvent refused = hook();
        for (LifecycleEvent event : List.of(done, retried, refused)) {
            worker.claim(event);
            clock.advance(Duration.ofSeconds(1));
        }
        worker.recordStep(done.idempotencyKey(), "drain", new StepRecord(StepRecord.WAITING, null, "c-1", 2));
        worker.recordStep(done.idempotencyKey(), "accept", new StepRecord("SUCCEEDED", "ok", null, 1));
        assertEquals(List.of(done.idempotencyKey(), retried.idempotencyKey(), refused.idempotencyKey()), keys(view),
                "claimed: in flight, oldest first");
        FleetView.Event first = view.events().get(0);
        assertEquals(List.of(new FleetView.Step("accept", "SUCCEEDED", null, 1), new FleetView.Step("drain", "WAITING", "c-1", 2)),
                first.steps(), "steps in the order they started");
        assertEquals("worker-a", first.owner());
        assertEquals(Instant.ofEpochSecond(clock.instant().getEpochSecond() + LEASE.toSeconds()), first.leaseUntil());

        outcomes.finish(retried, Outcome.RETRYING, StepsReport.of("on-terminating", List.of()), null, "drain failed", true);
        outcomes.finish(refused, Outcome.REFUSED, null, null, "not Terminating:Wait", true);
        outcomes.finish(done, Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of()), HookResult.CONTINUE, null, true);
        List<FleetView.Event> left = view.events();
        assertEquals(List.of(retried.idempotencyKey()), left.stream().map(FleetView.Event::key).toList(),
                "ended and refused events leave; a retried one waits for its next delivery");
        assertEquals("RELEASED", left.get(0).status());
        assertEquals(null, left.get(0).leaseUntil());

        worker.claim(retried);
        assertEquals(2, view.events().get(0).attempt(), "claimed again: the second attempt");
        outcomes.finish(retried, Outcome.GAVE_UP, null, HookResult.CONTINUE, "drain failed twice", true);
        assertEquals(List.of(), view.events());
        assertEquals("{\"available\":true,\"reason\":null,\"events\":[],\"retained\":[]}", view.read().json());
    }

    @Test
    void theJsonHasEveryFieldWithNullForTheUnknown() throws Exception {
        String table = "fleet-json-" + UUID.randomUUID();
        LifeguardTable.ensureExists(dynamoDb, table, true);
        LifecycleEvent hook = hook();
        new Claims(dynamoDb, table, "worker-j", LEASE, RETENTION, clock).claim(hook);
        JsonNode event = Fixtures.parseTree(new FleetView(dynamoDb, table).read().json()).get("events").get(0);
        assertEquals(List.of("key", "kind", "group", "instance", "hook", "account", "region", "owner", "leaseUntil", "attempt",
                        "status", "since", "steps"),
                iterable(event));
        assertEquals(hook.idempotencyKey(), event.get("key").asText());
        assertEquals("worker-j", event.get("owner").asText());
        assertTrue(event.get("steps").isArray() && event.get("steps").isEmpty());
    }

    @Test
    void aTableWithoutTheIndexIsNamedWithTheCommandThatAddsIt() {
        // Over HTTP: DynamoDB's own ValidationException, as the SDK receives it from AWS.
        String table = "fleet-old";
        try (LocalDynamoDbServer server = LocalDynamoDbServer.start(); DynamoDbClient http = client(server.endpoint())) {
            Fixtures.tableWithoutIndexes(http, table);
            FleetView.Snapshot snapshot = new FleetView(http, table).read();
            assertFalse(snapshot.available());
            assertTrue(snapshot.reason().startsWith("DynamoDB table '" + table + "' has no index 'in-flight'"), snapshot.reason());
            assertTrue(snapshot.reason().contains("aws dynamodb update-table --table-name " + table), snapshot.reason());
        }
    }

    @Test
    void aRoleThatMayNotQueryGetsTheMissingPermissionNamed() {
        WireMockServer dynamo = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        dynamo.start();
        try (DynamoDbClient denied = client(URI.create(dynamo.baseUrl()))) {
            dynamo.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("DynamoDB_20120810.Query"))
                    .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                            .withBody("{\"__type\":\"com.amazonaws.dynamodb.v20120810#AccessDeniedException\",\"message\":\"User:"
                                    + " arn:aws:sts::123456789012:assumed-role/lifeguard-task/t is not authorized to perform:"
                                    + " dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:123456789012:table/lifeguard/index/in-flight"
                                    + "\"}")));
            FleetView.Snapshot snapshot = new FleetView(denied, "lifeguard").read();
            assertFalse(snapshot.available());
            assertTrue(snapshot.reason().startsWith("not allowed to read the events in flight: grant dynamodb:Query on the"
                    + " table's index (arn:…:table/lifeguard/index/in-flight)"), snapshot.reason());
            assertTrue(snapshot.events().isEmpty());
            assertTrue(snapshot.json().startsWith("{\"available\":false,\"reason\":\"not allowed"), snapshot.json());
            dynamo.verify(postRequestedFor(urlEqualTo("/"))
                    .withRequestBody(matchingJsonPath("$.IndexName", equalTo("in-flight")))
                    .withRequestBody(matchingJsonPath("$.TableName", equalTo("lifeguard"))));
        } finally {
            dynamo.stop();
        }
    }

    private static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"))).build();
    }

    private static List<String> keys(FleetView view) {
        return view.events().stream().map(FleetView.Event::key).toList();
    }

    private static List<String> iterable(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static LifecycleEvent hook() {
        return Fixtures.parse(Fixtures.terminatingHook("fleet-view"));
    }
}
