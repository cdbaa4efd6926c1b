package dev.lifeguard.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * Every event in flight across the replicas, read from the table's sparse {@link LifeguardTable#IN_FLIGHT}
 * index (never a scan): one Query per {@link LifeguardTable#IN_FLIGHT_SHARDS shard}, each item
 * the event's claim as its holder last wrote it; and, for the page, one more for the retained
 * instances waiting for {@code resume} ({@link LifeguardTable#RETAINED_SHARD}). {@code status} prints it; the management
 * server serves {@link #read()}'s JSON for the page.
 */
public final class FleetView {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What the view shows of an item; the rest (outcomes of earlier attempts, …) stays in DynamoDB. */
    private static final String ATTRIBUTES = "pk, kind, groupName, instanceId, hookName, #owner, leaseExpiresAt, attempts,"
            + " #status, stepState, createdAt, account, #region";

    /** One step of an event in flight, as its claim records it: WAITING on {@code handle}, or how it ended. */
    public record Step(String name, String status, String handle, long startedAt) {
    }

    /**
     * One event in flight. {@code status} is the claim's: CLAIMED (a replica holds it until
     * {@code leaseUntil}; past that its holder died and the next delivery takes it over) or
     * RELEASED (an attempt failed, or was handed back at shutdown; its message comes back).
     */
    public record Event(String key, String kind, String group, String instance, String hook, String owner,
                        Instant leaseUntil, int attempt, String status, String since, List<Step> steps,
                        String account, String region) {
        /** A claim whose lease has run out: its owner stopped renewing it. */
        public boolean lapsed(Instant now) {
            return ClaimStatus.CLAIMED.name().equals(status) && leaseUntil != null && leaseUntil.isBefore(now);
        }
    }

    /**
     * A terminating hook whose instance Auto Scaling retained, waiting for {@code resume}: since
     * when, the state Auto Scaling gave, and the error of its last attempt.
     */
    public record Retained(String key, String group, String instance, String hook, String since, String state, String error) {
    }

    /** The view, or why there is none ({@code reason}, with {@code events} and {@code retained} empty). */
    public record Snapshot(boolean available, String reason, List<Event> events, List<Retained> retained) {
        /**
         * {@code {"available", "reason", "events": [{"key", "kind", …, "steps": [{"name", "status", "handle"}]}],
         * "retained": [{"key", "group", "instance", "hook", "since", "state", "error"}]}}.
         */
        public String json() {
            ObjectNode root = JSON.createObjectNode();
            root.put("available", available);
            root.put("reason", reason);
            ArrayNode list = root.putArray("events");
            for (Event event : events) {
                ObjectNode e = list.addObject();
                e.put("key", event.key());
                e.put("kind", event.kind());
                e.put("group", event.group());
                e.put("instance", event.instance());
                e.put("hook", event.hook());
                e.put("account", event.account());
                e.put("region", event.region());
                e.put("owner", event.owner());
                e.put("leaseUntil", event.leaseUntil() == null ? null : event.leaseUntil().toString());
                e.put("attempt", event.attempt());
                e.put("status", event.status());
                e.put("since", event.since());
                ArrayNode steps = e.putArray("steps");
                for (Step step : event.steps()) {
                    steps.addObject().put("name", step.name()).put("status", step.status()).put("handle", step.handle());
                }
            }
            ArrayNode kept = root.putArray("retained");
            for (Retained r : retained) {
                kept.addObject().put("key", r.key()).put("group", r.group()).put("instance", r.instance()).put("hook", r.hook())
                        .put("since", r.since()).put("state", r.state()).put("error", r.error());
            }
            return root.toString();
        }
    }

    private final DynamoDbClient dynamoDb;
    private final String table;

    public FleetView(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    /** The events in flight, oldest first. AWS's refusals (no index, no permission) are thrown as they come. */
    public List<Event> events() {
        List<Event> events = new ArrayList<>();
        for (int shard = 0; shard < LifeguardTable.IN_FLIGHT_SHARDS; shard++) {
            AttributeValue value = AttributeValue.fromS(Integer.toString(shard));
            dynamoDb.queryPaginator(r -> r.tableName(table)
                            .indexName(LifeguardTable.IN_FLIGHT)
                            .keyConditionExpression("#shard = :shard")
                            .projectionExpression(ATTRIBUTES)
                            .expressionAttributeNames(Map.of("#shard", LifeguardTable.IN_FLIGHT_SHARD, "#owner", "owner",
                                    "#status", "status", "#region", "region"))
                            .expressionAttributeValues(Map.of(":shard", value)))
                    .items().forEach(item -> events.add(event(item)));
        }
        events.sort(Comparator.comparing((Event e) -> String.valueOf(e.since())).thenComparing(Event::key));
        return events;
    }

    /**
     * The view for the page: never throws. A query the caller may not make (the task role without
     * {@code dynamodb:Query} on the index), an index the table lacks, or AWS out of reach gives
     * {@code available} false and the reason.
     */
    public Snapshot read() {
        try {
            return new Snapshot(true, null, events(), retained());
        } catch (DynamoDbException e) {
            return new Snapshot(false, refusal(e), List.of(), List.of());
        } catch (SdkException e) {
            return new Snapshot(false, "DynamoDB did not answer: " + oneLine(e.getMessage()), List.of(), List.of());
        }
    }

    /** The retained instances waiting for {@code resume}, oldest first: one more Query, on the index's own partition for them. */
    public List<Retained> retained() {
        return dynamoDb.queryPaginator(r -> r.tableName(table)
                        .indexName(LifeguardTable.IN_FLIGHT)
                        .keyConditionExpression("#shard = :shard")
                        .projectionExpression("pk, groupName, instanceId, hookName, retainedAt, retainedState, lastError")
                        .expressionAttributeNames(Map.of("#shard", LifeguardTable.IN_FLIGHT_SHARD))
                        .expressionAttributeValues(Map.of(":shard", AttributeValue.fromS(LifeguardTable.RETAINED_SHARD))))
                .items().stream()
                .map(item -> new Retained(Claims.text(item, LifeguardTable.KEY), Claims.text(item, LifeguardTable.GROUP_NAME),
                        Claims.text(item, LifeguardTable.INSTANCE_ID), Claims.text(item, "hookName"),
                        Claims.text(item, "retainedAt"), Claims.text(item, "retainedState"), Claims.text(item, "lastError")))
                .toList();
    }

    /** What a refusal of the index's Query means for whoever reads it, with what to do. */
    public String refusal(DynamoDbException e) {
        String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
        String message = oneLine(e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage());
        if (code.equals("AccessDeniedException")) {
            return "not allowed to read the events in flight: grant dynamodb:Query on the table's index "
                    + "(arn:…:table/" + table + "/index/" + LifeguardTable.IN_FLIGHT + ") (" + message + ")";
        }
        if (code.equals("ResourceNotFoundException")) {
            return "DynamoDB table '" + table + "' does not exist";
        }
        if (code.equals("ValidationException") && message.contains("index")) {
            return missingIndex(table);
        }
        return "DynamoDB refused the query (" + code + "): " + message;
    }

    /** Says a table lacks the index, and how to add it. */
    public static String missingIndex(String table) {
        return "DynamoDB table '" + table + "' has no index '" + LifeguardTable.IN_FLIGHT + "' (it was created before Lifeguard"
                + " listed the events in flight); add it with: " + LifeguardTable.howToAdd(table, LifeguardTable.IN_FLIGHT);
    }

    private static Event event(Map<String, AttributeValue> item) {
        AttributeValue lease = item.get("leaseExpiresAt");
        AttributeValue attempts = item.get("attempts");
        List<Step> steps = new ArrayList<>();
        AttributeValue state = item.get("stepState");
        if (state != null && state.hasM()) {
            state.m().forEach((name, value) -> {
                Map<String, AttributeValue> m = value.hasM() ? value.m() : Map.of();
                AttributeValue started = m.get("startedAt");
                steps.add(new Step(name, Claims.text(m, "status"), Claims.text(m, "handle"),
                        started == null ? 0 : Long.parseLong(started.n())));
            });
        }
        // The order they ran in; a map in DynamoDB keeps none.
        steps.sort(Comparator.comparingLong(Step::startedAt).thenComparing(Step::name));
        return new Event(Claims.text(item, LifeguardTable.KEY), Claims.text(item, "kind"),
                Claims.text(item, LifeguardTable.GROUP_NAME), Claims.text(item, LifeguardTable.INSTANCE_ID),
                Claims.text(item, "hookName"), Claims.text(item, "owner"),
                lease == null ? null : Instant.ofEpochSecond(Long.parseLong(lease.n())),
                attempts == null ? 0 : Integer.parseInt(attempts.n()), Claims.text(item, "status"),
                Claims.text(item, LifeguardTable.CREATED_AT), List.copyOf(steps), Claims.text(item, "account"),
                Claims.text(item, "region"));
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").strip();
    }
}
