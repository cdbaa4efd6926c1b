package dev.lifeguard.store;

import java.time.Clock;
import java.util.Map;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Camel idempotent repository on DynamoDB conditional writes: the claim that decides which
 * worker acts on an event. All claim logic lives here.
 *
 * <p>An item moves CLAIMED → DONE on success, or CLAIMED → RELEASED on failure so that the
 * redelivery can claim it again. A CLAIMED item whose lease has expired belongs to a worker
 * that died, and can be claimed by another. The item is never deleted by this class: the same
 * item carries the event's outcome record and its attempt count.
 */
public class DynamoDbIdempotentRepository extends ServiceSupport implements IdempotentRepository {
    static final String CLAIMED = "CLAIMED";
    static final String RELEASED = "RELEASED";
    static final String DONE = "DONE";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String owner;
    private final long leaseSeconds;
    private final Clock clock;

    public DynamoDbIdempotentRepository(DynamoDbClient dynamoDb, String table, String owner, long leaseSeconds, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.owner = owner;
        this.leaseSeconds = leaseSeconds;
        this.clock = clock;
    }

    /**
     * Claims the key. Returns false for an event already DONE (a duplicate delivery); throws
     * {@link ClaimHeldException} while another worker's lease is live.
     */
    @Override
    public boolean add(String key) {
        long now = clock.instant().getEpochSecond();
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression("SET #status = :claimed, #owner = :owner, leaseExpiresAt = :lease,"
                            + " createdAt = if_not_exists(createdAt, :nowText), updatedAt = :nowText ADD attempts :one")
                    .conditionExpression("attribute_not_exists(pk) OR #status = :released"
                            + " OR (#status = :claimed AND leaseExpiresAt < :now)")
                    .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(
                            ":claimed", s(CLAIMED),
                            ":released", s(RELEASED),
                            ":owner", s(owner),
                            ":lease", n(now + leaseSeconds),
                            ":now", n(now),
                            ":nowText", s(clock.instant().toString()),
                            ":one", n(1)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = e.item();
            if (item != null && CLAIMED.equals(text(item, "status"))) {
                throw new ClaimHeldException(key, text(item, "owner"), Long.parseLong(item.get("leaseExpiresAt").n()));
            }
            return false;
        }
    }

    @Override
    public boolean contains(String key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(key(key)).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return false;
        }
        String status = text(item, "status");
        return DONE.equals(status)
                || (CLAIMED.equals(status) && Long.parseLong(item.get("leaseExpiresAt").n()) >= clock.instant().getEpochSecond());
    }

    /** Releases our claim after a failure so that the redelivered message can claim it again. */
    @Override
    public boolean remove(String key) {
        return transition(key, RELEASED);
    }

    @Override
    public boolean confirm(String key) {
        return transition(key, DONE);
    }

    /** Only our own live claim moves on; a claim taken over after our lease expired is not ours. */
    private boolean transition(String key, String status) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table)
                    .key(key(key))
                    .updateExpression("SET #status = :status, updatedAt = :nowText REMOVE leaseExpiresAt")
                    .conditionExpression("#status = :claimed AND #owner = :owner")
                    .expressionAttributeNames(Map.of("#status", "status", "#owner", "owner"))
                    .expressionAttributeValues(Map.of(
                            ":status", s(status),
                            ":claimed", s(CLAIMED),
                            ":owner", s(owner),
                            ":nowText", s(clock.instant().toString()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Claims are an audit trail too; Lifeguard never wipes them (expire them with a DynamoDB TTL instead). */
    @Override
    public void clear() {
        throw new UnsupportedOperationException("clearing the DynamoDB idempotent repository is not supported");
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of(LifeguardTable.KEY, s(key));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
