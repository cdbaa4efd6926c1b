package dev.lifeguard.store;

import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.StepsReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes what happened to an event onto its item in the Lifeguard table (the same item that
 * holds its claim). The SQS message is deleted only after one of these writes succeeded.
 */
public class OutcomeRecorder {
    /** Outcome values in the {@code result} attribute. */
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String RETRYING = "RETRYING";
    public static final String GAVE_UP = "GAVE_UP";
    public static final String REFUSED = "REFUSED";

    private static final int MAX_TEXT = 2000;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final boolean dryRun;
    private final Clock clock;

    public OutcomeRecorder(DynamoDbClient dynamoDb, String table, boolean dryRun, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.dryRun = dryRun;
        this.clock = clock;
    }

    /** The steps ran (or were refused because the instance still lives); {@code hookResult} is set for hooks. */
    public void succeeded(LifecycleEvent event, StepsReport report, String hookResult) {
        Map<String, AttributeValue> values = describe(event);
        put(values, "result", report.refused() ? REFUSED : SUCCEEDED);
        steps(values, report);
        if (report.refused()) {
            put(values, "lastError", "refused: " + report.refusedReason());
        }
        put(values, "hookResult", hookResult);
        put(values, "finishedAt", clock.instant().toString());
        update(event.idempotencyKey(), values);
    }

    /** An attempt failed; {@code hookResult} is set when this was the last attempt and the hook was completed. */
    public void failed(LifecycleEvent event, String error, boolean gaveUp, String hookResult, StepsReport report) {
        Map<String, AttributeValue> values = describe(event);
        if (report != null) {
            steps(values, report);
        }
        put(values, "result", gaveUp ? GAVE_UP : RETRYING);
        put(values, "lastError", error);
        put(values, "hookResult", hookResult);
        if (gaveUp) {
            put(values, "finishedAt", clock.instant().toString());
        }
        update(event.idempotencyKey(), values);
    }

    /** A message that could not be read as an event; keyed by its SQS message id. */
    public void refused(String sqsMessageId, String reason) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "result", REFUSED);
        put(values, "lastError", reason);
        put(values, "createdAt", clock.instant().toString());
        put(values, "finishedAt", clock.instant().toString());
        update("refused#" + sqsMessageId, values);
    }

    /** {@code steps}: one line for people; {@code stepResults}: one map per step for tools. */
    private static void steps(Map<String, AttributeValue> values, StepsReport report) {
        put(values, "route", report.route());
        put(values, "steps", report.summary());
        values.put("stepResults", AttributeValue.fromL(report.results().stream().map(result -> {
            Map<String, AttributeValue> step = new LinkedHashMap<>();
            put(step, "name", result.name());
            put(step, "type", result.type());
            put(step, "status", result.status());
            step.put("durationMillis", AttributeValue.fromN(Long.toString(result.durationMillis())));
            put(step, "detail", result.detail());
            return AttributeValue.fromM(step);
        }).toList()));
    }

    private Map<String, AttributeValue> describe(LifecycleEvent event) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "kind", event.kind().name());
        put(values, "eventName", event.eventName());
        put(values, "envelope", event.envelope().name());
        put(values, "groupName", event.groupName());
        put(values, "instanceId", event.instanceId());
        put(values, "hookName", event.hookName());
        put(values, "requestId", event.requestId());
        put(values, "messageId", event.messageId());
        put(values, "eventTime", event.time());
        put(values, "nodeName", event.nodeName());
        put(values, "ipAddress", event.ipAddress());
        values.put("dryRun", AttributeValue.fromBool(dryRun));
        return values;
    }

    private void update(String key, Map<String, AttributeValue> values) {
        List<String> sets = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> placeholders = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> entry : values.entrySet()) {
            sets.add("#a" + i + " = :v" + i);
            names.put("#a" + i, entry.getKey());
            placeholders.put(":v" + i, entry.getValue());
            i++;
        }
        sets.add("updatedAt = :now");
        placeholders.put(":now", AttributeValue.fromS(clock.instant().toString()));
        dynamoDb.updateItem(r -> r.tableName(table)
                .key(Map.of(LifeguardTable.KEY, AttributeValue.fromS(key)))
                .updateExpression("SET " + String.join(", ", sets))
                .expressionAttributeNames(names)
                .expressionAttributeValues(placeholders));
    }

    private static void put(Map<String, AttributeValue> values, String name, String value) {
        if (value != null) {
            values.put(name, AttributeValue.fromS(value.length() > MAX_TEXT ? value.substring(0, MAX_TEXT) + "…" : value));
        }
    }
}
