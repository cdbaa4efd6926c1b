package dev.lifeguard.store;

import dev.lifeguard.event.CommandStatus;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.steps.StepsReport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Writes what happened to an event onto its item in the Lifeguard table (the same item that
 * holds its claim), together with the claim's next status. The SQS message is deleted only
 * after one of these writes succeeded.
 */
public class OutcomeRecorder {
    private static final int MAX_TEXT = 2000;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String owner;
    private final boolean dryRun;
    private final Duration retention;
    private final Clock clock;

    /** @param retention how long the item is kept after its last write ({@link LifeguardTable#EXPIRES_AT}) */
    public OutcomeRecorder(DynamoDbClient dynamoDb, String table, String owner, boolean dryRun, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.owner = owner;
        this.dryRun = dryRun;
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * Records how an attempt ended and moves the claim on, in one conditional write: to DONE for
     * an outcome ({@code SUCCEEDED}, {@code GAVE_UP}, {@code ALREADY_ENDED}), or to RELEASED for a
     * {@code RETRYING} attempt so that the redelivery can claim it again. A {@code REFUSED} event
     * is recorded and released too, without counting an attempt: its message said what AWS did
     * not confirm, so it must not stand in the way of the real event with the same key (a copy
     * naming another hook or destination for the same token, group and instance).
     *
     * @param claimed false when the attempt failed before the event could be claimed: then the
     *                outcome is written unless the event is already done
     * @return false when the claim is no longer ours (its lease expired and another worker took
     *         the event over): then nothing is written, and the caller must not delete the message
     */
    public boolean finish(LifecycleEvent event, Outcome result, StepsReport report, HookResult hookResult, String error,
                          boolean claimed) {
        Map<String, AttributeValue> values = describe(event);
        put(values, "result", result.name());
        if (report != null) {
            steps(values, report);
        }
        put(values, "lastError", error);
        if (hookResult != null) {
            put(values, "hookResult", hookResult.name());
        }
        boolean retrying = result == Outcome.RETRYING;
        boolean refused = result == Outcome.REFUSED;
        if (!retrying) {
            put(values, "finishedAt", LifeguardTable.time(clock.instant()));
        }
        values.put("status", status(retrying || refused ? ClaimStatus.RELEASED : ClaimStatus.DONE));
        // An event that ended, or was refused, is no longer in flight: out of the in-flight index,
        // in this write. A retrying one stays in it until its next attempt ends.
        List<String> removed = new ArrayList<>();
        if (claimed) {
            removed.add("leaseExpiresAt");
        }
        if (!retrying) {
            removed.add(LifeguardTable.IN_FLIGHT_SHARD);
        }
        String remove = removed.isEmpty() ? "" : "REMOVE " + String.join(", ", removed);
        try {
            if (claimed) {
                Map<String, AttributeValue> condition = new HashMap<>(Map.of(":claimed", status(ClaimStatus.CLAIMED),
                        ":owner", AttributeValue.fromS(owner)));
                if (refused) {
                    condition.put(":minusOne", AttributeValue.fromN("-1"));
                }
                update(event.idempotencyKey(), values, remove + (refused ? " ADD attempts :minusOne" : ""),
                        "#status = :claimed AND #owner = :owner",
                        Map.of("#status", "status", "#owner", "owner"), condition);
            } else {
                update(event.idempotencyKey(), values, remove,
                        "attribute_not_exists(#status) OR #status <> :done",
                        Map.of("#status", "status"), Map.of(":done", status(ClaimStatus.DONE)));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Auto Scaling retained the instance of a terminating hook given up on and abandoned: the
     * outcome becomes {@code RETAINED}, and the item goes back into the in-flight index under
     * {@link LifeguardTable#RETAINED_SHARD}, where the status page and {@code history --retained}
     * find it until {@code resume} ends it. Only a {@code GAVE_UP} record is changed.
     *
     * @return false when the record was not (or no longer) GAVE_UP
     */
    public boolean retained(LifecycleEvent event, String lifecycleState) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "result", Outcome.RETAINED.name());
        put(values, "retainedState", lifecycleState);
        put(values, "retainedAt", LifeguardTable.time(clock.instant()));
        values.put(LifeguardTable.IN_FLIGHT_SHARD, AttributeValue.fromS(LifeguardTable.RETAINED_SHARD));
        return resultWas(event.idempotencyKey(), Outcome.GAVE_UP, values, "");
    }

    /** A step {@code resume} ran to its end, kept like the service's own so a later resume skips it. */
    public boolean resumedStep(String key, String step, StepRecord record) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put("stepState.#step", record.attribute());
        return resultWas(key, Outcome.RETAINED, values, "", Map.of("#step", step));
    }

    /**
     * {@code resume} ran the remaining steps (or was told not to) and terminated the instance:
     * {@code RESUMED}, out of the retained partition, in one write that only a RETAINED record takes.
     *
     * @param report the steps this resume ran, or null for {@code --terminate-only}
     */
    public boolean resumed(String key, StepsReport report, String termination) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "result", Outcome.RESUMED.name());
        put(values, "resumedAt", LifeguardTable.time(clock.instant()));
        put(values, "termination", termination);
        if (report != null) {
            put(values, "resumeSteps", report.summary());
        }
        return resultWas(key, Outcome.RETAINED, values, "REMOVE " + LifeguardTable.IN_FLIGHT_SHARD);
    }

    /** A step failed again under {@code resume}: why, on the record that stays RETAINED. */
    public boolean resumeFailed(String key, StepsReport report) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "resumeSteps", report.summary());
        put(values, "lastError", "resume: steps failed: " + report.summary());
        return resultWas(key, Outcome.RETAINED, values, "");
    }

    private boolean resultWas(String key, Outcome was, Map<String, AttributeValue> values, String remove) {
        return resultWas(key, was, values, remove, Map.of());
    }

    private boolean resultWas(String key, Outcome was, Map<String, AttributeValue> values, String remove,
                              Map<String, String> names) {
        Map<String, String> conditionNames = new HashMap<>(names);
        conditionNames.put("#result", "result");
        try {
            update(key, values, remove, "#result = :was", conditionNames, Map.of(":was", AttributeValue.fromS(was.name())));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Records a message that could not be read as an event, keyed by its SQS message id.
     *
     * @return false when this message was refused and dead-lettered before (a redelivery after
     *         the delete was lost): then it must only be deleted, not dead-lettered twice
     */
    public boolean refused(String sqsMessageId, String reason) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "result", Outcome.REFUSED.name());
        put(values, "lastError", reason);
        put(values, "finishedAt", LifeguardTable.time(clock.instant()));
        try {
            update("refused#" + sqsMessageId, values, "", "attribute_not_exists(deadLettered)", Map.of(), Map.of());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Records an Auto Scaling event Lifeguard does not act on, in one write, as done: result
     * {@code IGNORED}, with what the event says. A redelivery writes the same again.
     */
    public void ignored(LifecycleEvent event) {
        Map<String, AttributeValue> values = describe(event);
        put(values, "result", Outcome.IGNORED.name());
        put(values, "finishedAt", LifeguardTable.time(clock.instant()));
        values.put("status", status(ClaimStatus.DONE));
        update(event.idempotencyKey(), values, "", null, Map.of(), Map.of());
    }

    /**
     * Records an SSM status event for a command no claim waits on (another tool's command with
     * the same document), in one write, as done: result {@code IGNORED}. It is kept under its
     * own key and carries no instance or group, so it never shows in an instance's history.
     */
    public void ignored(CommandStatus status) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "kind", "COMMAND_STATUS");
        put(values, "eventName", CommandStatus.DETAIL_TYPE);
        put(values, "commandId", status.commandId());
        put(values, "commandInstanceId", status.instanceId());
        put(values, "document", status.documentName());
        put(values, "commandStatus", status.status());
        put(values, "result", Outcome.IGNORED.name());
        put(values, "finishedAt", LifeguardTable.time(clock.instant()));
        values.put("status", status(ClaimStatus.DONE));
        update(status.idempotencyKey(), values, "", null, Map.of(), Map.of());
    }

    /** The refused message is in the dead-letter queue. */
    public void deadLettered(String sqsMessageId) {
        update("refused#" + sqsMessageId, Map.of("deadLettered", AttributeValue.fromBool(true)), "", null, Map.of(), Map.of());
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
        Map<String, AttributeValue> values = EventAttributes.of(event);
        values.put("dryRun", AttributeValue.fromBool(dryRun));
        return values;
    }

    private void update(String key, Map<String, AttributeValue> values, String remove, String condition,
                        Map<String, String> conditionNames, Map<String, AttributeValue> conditionValues) {
        List<String> sets = new ArrayList<>();
        Map<String, String> names = new HashMap<>(conditionNames);
        Map<String, AttributeValue> placeholders = new HashMap<>(conditionValues);
        int i = 0;
        for (Map.Entry<String, AttributeValue> entry : values.entrySet()) {
            // A path into a map (stepState.#step) comes with its own names; a plain attribute gets one here.
            boolean path = entry.getKey().contains(".");
            sets.add((path ? entry.getKey() : "#a" + i) + " = :v" + i);
            if (!path) {
                names.put("#a" + i, entry.getKey());
            }
            placeholders.put(":v" + i, entry.getValue());
            i++;
        }
        // The same write dates a record it creates (an outcome written before any claim, a
        // refusal) and moves its expiry on: no call of its own for either.
        sets.add("updatedAt = :now");
        sets.add("createdAt = if_not_exists(createdAt, :now)");
        sets.add("expiresAt = :expires");
        placeholders.put(":now", AttributeValue.fromS(LifeguardTable.time(clock.instant())));
        placeholders.put(":expires", LifeguardTable.expiresAt(clock, retention));
        String expression = "SET " + String.join(", ", sets) + (remove.isEmpty() ? "" : " " + remove);
        dynamoDb.updateItem(r -> r.tableName(table)
                .key(Map.of(LifeguardTable.KEY, AttributeValue.fromS(key)))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(placeholders));
    }

    private static AttributeValue status(ClaimStatus status) {
        return AttributeValue.fromS(status.name());
    }

    private static void put(Map<String, AttributeValue> values, String name, String value) {
        if (value != null) {
            values.put(name, AttributeValue.fromS(value.length() > MAX_TEXT ? value.substring(0, MAX_TEXT) + "…" : value));
        }
    }
}
