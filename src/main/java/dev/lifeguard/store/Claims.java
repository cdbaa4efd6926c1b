package dev.lifeguard.store;

import dev.lifeguard.event.LifecycleEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The claim that decides which worker acts on an event: a DynamoDB conditional write on the
 * event's item (Camel has no DynamoDB idempotent repository; this is the small one Lifeguard
 * needs). An item moves CLAIMED → DONE when its outcome is recorded ({@link OutcomeRecorder}
 * does both in one write), or CLAIMED → RELEASED when the attempt failed or was handed back.
 *
 * <p>A claim carries a lease that its owner renews while the event is in progress. A CLAIMED
 * item whose lease has expired belongs to a worker that died, and is taken over, together with
 * the per-step records the dead worker left ({@link StepRecord}). The owner may also re-claim its
 * own claim, which is what it needs after a release that failed during a DynamoDB blip.
 *
 * <p>The claim's write also marks the item in flight ({@link LifeguardTable#IN_FLIGHT_SHARD}), in
 * the same call; a release keeps the mark (the event comes back), the outcome's write removes it.
 */
public class Claims {
    static final String CLAIMED = ClaimStatus.CLAIMED.name();
    static final String RELEASED = ClaimStatus.RELEASED.name();
    static final String DONE = ClaimStatus.DONE.name();

    /** What claiming an event found. */
    public sealed interface Claim permits Taken, Done, Held {
    }

    /**
     * Ours now. {@code attempt} counts claims, 1 for the first; {@code steps} is what earlier
     * attempts recorded; {@code tookOver} when another worker's lease had run out on it.
     */
    public record Taken(int attempt, Map<String, StepRecord> steps, boolean tookOver) implements Claim {
    }

    /** The event was handled already: this delivery is a duplicate. */
    public record Done() implements Claim {
    }

    /** Another worker is on it until {@code leaseEnd}, unless it dies first. */
    public record Held(String owner, Instant leaseEnd) implements Claim {
    }

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String owner;
    private final Duration lease;
    private final Duration retention;
    private final Clock clock;

    /** @param retention how long the item is kept after its last write ({@link LifeguardTable#EXPIRES_AT}) */
    public Claims(DynamoDbClient dynamoDb, String table, String owner, Duration lease, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.owner = owner;
        this.lease = lease;
        this.retention = retention;
        this.clock = clock;
    }

    public String owner() {
        return owner;
    }

    public Duration lease() {
        return lease;
    }

    /**
     * Claims an event. The first write already carries the event's description, with what
     * lists the item by instance and by group ({@code instanceId}, {@code groupName},
     * {@code createdAt}), so an event in progress shows in {@code history} too.
     */
    public Claim claim(LifecycleEvent event) {
        String key = event.idempotencyKey();
        long now = clock.instant().getEpochSecond();
        Map<String, AttributeValue> listing = EventAttributes.of(event);
        // Most events are new: one plain conditional put claims them. Only an item that exists
        // (released, expired, ours, done, or held) needs the update below.
        try {
            String nowText = LifeguardTable.time(clock.instant());
            Map<String, AttributeValue> item = new HashMap<>(listing);
            item.put(LifeguardTable.KEY, s(key));
            item.put("status", s(CLAIMED));
            item.put("owner", s(owner));
            item.put("leaseExpiresAt", n(now + lease.toSeconds()));
            item.put("attempts", n(1));
            item.put("stepState", AttributeValue.fromM(Map.of()));
            item.put(LifeguardTable.CREATED_AT, s(nowText));
            item.put("updatedAt", s(nowText));
            item.put(LifeguardTable.EXPIRES_AT, LifeguardTable.expiresAt(clock, retention));
            item.put(LifeguardTable.IN_FLIGHT_SHARD, LifeguardTable.inFlightShard(key));
            dynamoDb.putItem(r -> r.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(pk)"));
            return new Taken(1, Map.of(), false);
        } catch (ConditionalCheckFailedException exists) {
            return claimExisting(key, now, listing);
        }
    }

    private Claim claimExisting(String key, long now, Map<String, AttributeValue> listing) {
        Map<String, String> names = new HashMap<>(Map.of("#status", "status", "#owner", "owner"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(
                ":claimed", s(CLAIMED),
                ":released", s(RELEASED),
                ":owner", s(owner),
                ":lease", n(now + lease.toSeconds()),
                ":now", n(now),
                ":nowText", s(LifeguardTable.time(clock.instant())),
                ":one", n(1),
                ":empty", AttributeValue.fromM(Map.of()),
                ":expires", LifeguardTable.expiresAt(clock, retention),
                ":inFlight", LifeguardTable.inFlightShard(key)));
        StringBuilder sets = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, AttributeValue> entry : listing.entrySet()) {
            sets.append(", #l").append(i).append(" = :l").append(i);
            names.put("#l" + i, entry.getKey());
            values.put(":l" + i, entry.getValue());
            i++;
        }
        try {
            Map<String, AttributeValue> item = dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression("SET #status = :claimed, #owner = :owner, leaseExpiresAt = :lease,"
                            + " stepState = if_not_exists(stepState, :empty),"
                            + " createdAt = if_not_exists(createdAt, :nowText), updatedAt = :nowText,"
                            + " expiresAt = :expires, inFlight = :inFlight" + sets + " ADD attempts :one")
                    .conditionExpression("attribute_not_exists(pk) OR #status = :released"
                            + " OR (#status = :claimed AND (leaseExpiresAt < :now OR #owner = :owner))")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    // The item as it was: whose claim this replaces, and what its steps recorded
                    // (the update keeps stepState and adds one attempt).
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
            int attempts = item.containsKey("attempts") ? Integer.parseInt(item.get("attempts").n()) : 0;
            boolean tookOver = CLAIMED.equals(text(item, "status")) && !owner.equals(text(item, "owner"));
            return new Taken(attempts + 1, steps(item), tookOver);
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = e.item();
            if (item != null && CLAIMED.equals(text(item, "status"))) {
                return new Held(text(item, "owner"), Instant.ofEpochSecond(Long.parseLong(item.get("leaseExpiresAt").n())));
            }
            return new Done();
        }
    }

    /**
     * What a renewal found: whether the claim is still ours, and which of its parked steps another
     * replica heard may have ended ({@link #notePushed}) since the last renewal.
     */
    public record Renewal(boolean ours, java.util.Set<String> pushed) {
    }

    /**
     * Extends our lease ({@code ours} false when the claim expired and was taken over) and, in the
     * same write, takes the names of the steps whose commands another replica heard about, so
     * each note is acted on once.
     */
    public Renewal renewal(String key) {
        Map<String, AttributeValue> values = withOwnership(Map.of(
                ":lease", n(clock.instant().getEpochSecond() + lease.toSeconds())));
        try {
            Map<String, AttributeValue> old = dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression("SET updatedAt = :nowText, expiresAt = :expires, leaseExpiresAt = :lease REMOVE pushedSteps")
                    .conditionExpression("#status = :claimed AND #owner = :owner")
                    .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_OLD)).attributes();
            AttributeValue pushed = old == null ? null : old.get("pushedSteps");
            return new Renewal(true, pushed == null || !pushed.hasSs() ? java.util.Set.of() : java.util.Set.copyOf(pushed.ss()));
        } catch (ConditionalCheckFailedException e) {
            return new Renewal(false, java.util.Set.of());
        }
    }

    /**
     * Notes on a claim held elsewhere that a step's command may have ended: the holder looks at it
     * when it next renews its lease. False when the event is no longer in progress.
     */
    public boolean notePushed(String key, String step) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression("ADD pushedSteps :step")
                    .conditionExpression("#status = :claimed")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":claimed", s(CLAIMED), ":step", AttributeValue.fromSs(java.util.List.of(step)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Keeps one step's state on the claim (and renews the lease); false when the claim is no longer ours. */
    public boolean recordStep(String key, String step, StepRecord record) {
        // stepState exists from the claim on, so one key of it can be set in place.
        return ours(key, "SET stepState.#step = :state, leaseExpiresAt = :lease", Map.of(":state", record.attribute(),
                ":lease", n(clock.instant().getEpochSecond() + lease.toSeconds())), Map.of("#step", step));
    }

    /** Lets go of the event after a failed attempt, so that the next delivery claims it again. */
    public boolean release(String key) {
        return ours(key, "SET #status = :released REMOVE leaseExpiresAt", Map.of(":released", s(RELEASED)));
    }

    /**
     * Gives the event back at shutdown: released for the next worker, and this attempt does not
     * count, since nothing failed.
     */
    public boolean handBack(String key) {
        return ours(key, "SET #status = :released REMOVE leaseExpiresAt ADD attempts :minusOne",
                Map.of(":released", s(RELEASED), ":minusOne", n(-1)));
    }

    private boolean ours(String key, String update, Map<String, AttributeValue> values) {
        return ours(key, update, values, Map.of());
    }

    /** The values every write of our own claim uses: its condition, and the times it moves on. */
    private Map<String, AttributeValue> withOwnership(Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":claimed", s(CLAIMED));
        all.put(":owner", s(owner));
        all.put(":nowText", s(LifeguardTable.time(clock.instant())));
        all.put(":expires", LifeguardTable.expiresAt(clock, retention));
        return all;
    }

    private boolean ours(String key, String update, Map<String, AttributeValue> values, Map<String, String> names) {
        Map<String, AttributeValue> all = withOwnership(values);
        Map<String, String> allNames = new HashMap<>(names);
        allNames.put("#status", "status");
        allNames.put("#owner", "owner");
        // Every write moves the expiry on, so an event in progress for longer than the retention is never dropped.
        String withTime = update.replaceFirst("SET ", "SET updatedAt = :nowText, expiresAt = :expires, ");
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression(withTime)
                    .conditionExpression("#status = :claimed AND #owner = :owner")
                    .expressionAttributeNames(allNames)
                    .expressionAttributeValues(all));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    static Map<String, StepRecord> steps(Map<String, AttributeValue> item) {
        AttributeValue state = item.get("stepState");
        Map<String, StepRecord> steps = new LinkedHashMap<>();
        if (state != null && state.hasM()) {
            state.m().forEach((name, value) -> {
                Map<String, AttributeValue> m = value.m();
                steps.put(name, new StepRecord(text(m, "status"), text(m, "detail"), text(m, "handle"),
                        m.containsKey("startedAt") ? Long.parseLong(m.get("startedAt").n()) : 0));
            });
        }
        return steps;
    }

    static Map<String, AttributeValue> key(String key) {
        return Map.of(LifeguardTable.KEY, s(key));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
