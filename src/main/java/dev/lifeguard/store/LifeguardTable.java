package dev.lifeguard.store;

import dev.lifeguard.MisconfiguredException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/**
 * The DynamoDB table holding one item per event: its claim (who is acting on it) and its
 * outcome (what was done). The key is the event's idempotency key in attribute {@code pk}.
 *
 * <p>Every item carries {@link #EXPIRES_AT} (epoch seconds), the table's TTL attribute, set by
 * each write to the retention after it. Event items carry {@code instanceId}, {@code groupName}
 * and {@code createdAt}, the keys of two indexes that list them by instance ({@link #BY_INSTANCE})
 * and by group ({@link #BY_GROUP}), oldest first, without a scan. A third, sparse index lists the
 * events in flight ({@link #IN_FLIGHT}): only items that carry {@link #IN_FLIGHT_SHARD} are in it.
 */
public final class LifeguardTable {
    private static final Logger LOG = LoggerFactory.getLogger(LifeguardTable.class);

    public static final String KEY = "pk";
    /** The TTL attribute: epoch seconds after which DynamoDB may delete the item. */
    public static final String EXPIRES_AT = "expiresAt";
    public static final String INSTANCE_ID = "instanceId";
    public static final String GROUP_NAME = "groupName";
    public static final String CREATED_AT = "createdAt";
    /** Index of event items by instance: HASH instanceId, RANGE createdAt, every attribute. */
    public static final String BY_INSTANCE = "by-instance";
    /** Index of event items by group: HASH groupName, RANGE createdAt, every attribute. */
    public static final String BY_GROUP = "by-group";
    /**
     * Set by the claim and removed by the write that ends the event (DONE, or refused), so that
     * {@link #IN_FLIGHT} holds only events not yet ended: one of {@link #IN_FLIGHT_SHARDS} values
     * derived from the key ({@link #inFlightShard}), which spreads a mass scale-in's writes over
     * as many index partitions instead of one.
     */
    public static final String IN_FLIGHT_SHARD = "inFlight";
    /** How many values {@link #IN_FLIGHT_SHARD} takes: the fleet view reads each with one Query. Never changed. */
    public static final int IN_FLIGHT_SHARDS = 8;
    /**
     * The {@link #IN_FLIGHT_SHARD} value of a terminating hook whose instance Auto Scaling
     * retained: its work is not done until {@code resume} ends it, so it stays in the sparse index,
     * in a partition of its own that the fleet view of events in flight never reads.
     */
    public static final String RETAINED_SHARD = "retained";
    /** Sparse index of the events in flight: HASH inFlight, RANGE createdAt, every attribute. */
    public static final String IN_FLIGHT = "in-flight";
    /** Each index and its hash key. */
    public static final Map<String, String> INDEXES = Map.of(BY_INSTANCE, INSTANCE_ID, BY_GROUP, GROUP_NAME,
            IN_FLIGHT, IN_FLIGHT_SHARD);
    /** What needs each index, for the messages about a missing one. */
    private static final Map<String, String> NEEDED_BY = Map.of(BY_INSTANCE, "`history` of an instance",
            BY_GROUP, "`history` of a group", IN_FLIGHT, "`status` and the fleet view");

    /** Fixed width (milliseconds always written), so that times sort as text in the indexes as they do in time. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private LifeguardTable() {
    }

    /** A time as the table writes it ({@code createdAt}, {@code updatedAt}, {@code finishedAt}). */
    public static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** The {@link #IN_FLIGHT_SHARD} value of an event's item: the same for every write of one key. */
    public static AttributeValue inFlightShard(String key) {
        return AttributeValue.fromS(Integer.toString(Math.floorMod(key.hashCode(), IN_FLIGHT_SHARDS)));
    }

    /** The {@link #EXPIRES_AT} value for an item written now: now plus the retention, in epoch seconds. */
    static AttributeValue expiresAt(Clock clock, Duration retention) {
        return AttributeValue.fromN(Long.toString(clock.instant().plus(retention).getEpochSecond()));
    }

    /**
     * Checks the table exists, creating it (on-demand billing, with the three indexes and TTL on
     * {@link #EXPIRES_AT}) when allowed. A table that exists without the indexes (created before
     * they were added) still serves the service; the missing ones are logged, since
     * {@code history} and {@code status} need them.
     */
    public static void ensureExists(DynamoDbClient dynamoDb, String table, boolean create) {
        try {
            TableDescription existing = dynamoDb.describeTable(r -> r.tableName(table)).table();
            for (String index : missingIndexes(existing)) {
                LOG.warn("DynamoDB table '{}' has no index '{}': {} cannot list records until it is added ({})",
                        table, index, NEEDED_BY.get(index), howToAdd(table, index));
            }
            if (create) {
                enableTimeToLive(dynamoDb, table);
            }
            return;
        } catch (ResourceNotFoundException e) {
            if (!create) {
                throw new MisconfiguredException("DynamoDB table '" + table + "' does not exist: create it (key "
                        + KEY + ", type S) or set LIFEGUARD_TABLE_CREATE=true (lifeguard.table.create)", e);
            }
        }
        try {
            dynamoDb.createTable(r -> r.tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(string(KEY), string(INSTANCE_ID), string(GROUP_NAME), string(CREATED_AT),
                            string(IN_FLIGHT_SHARD))
                    .keySchema(key(KEY, KeyType.HASH))
                    .globalSecondaryIndexes(index(BY_INSTANCE, INSTANCE_ID), index(BY_GROUP, GROUP_NAME),
                            index(IN_FLIGHT, IN_FLIGHT_SHARD)));
        } catch (ResourceInUseException anotherReplicaCreatedIt) {
            // Two replicas started together: the other one created it; wait for it like our own.
        }
        dynamoDb.waiter().waitUntilTableExists(r -> r.tableName(table));
        enableTimeToLive(dynamoDb, table);
    }

    /** The indexes {@code history} and {@code status} need that the table lacks, by name. */
    public static List<String> missingIndexes(TableDescription table) {
        Set<String> present = table.globalSecondaryIndexes().stream()
                .map(GlobalSecondaryIndexDescription::indexName).collect(Collectors.toSet());
        return INDEXES.keySet().stream().filter(index -> !present.contains(index)).sorted().toList();
    }

    /** The AWS CLI command that adds a missing index to an existing table. */
    public static String howToAdd(String table, String index) {
        String hash = INDEXES.get(index);
        return "aws dynamodb update-table --table-name " + table
                + " --attribute-definitions AttributeName=" + hash + ",AttributeType=S AttributeName=" + CREATED_AT + ",AttributeType=S"
                + " --global-secondary-index-updates '[{\"Create\":{\"IndexName\":\"" + index + "\",\"KeySchema\":["
                + "{\"AttributeName\":\"" + hash + "\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"" + CREATED_AT
                + "\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]'";
    }

    /**
     * Turns TTL on for {@link #EXPIRES_AT}. Replicas creating the table together all get here; the
     * ones that lose the race find it enabled (DynamoDB refuses a second UpdateTimeToLive).
     */
    private static void enableTimeToLive(DynamoDbClient dynamoDb, String table) {
        if (timeToLiveOn(dynamoDb, table)) {
            return;
        }
        try {
            dynamoDb.updateTimeToLive(r -> r.tableName(table)
                    .timeToLiveSpecification(s -> s.attributeName(EXPIRES_AT).enabled(true)));
        } catch (DynamoDbException e) {
            if (!timeToLiveOn(dynamoDb, table)) {
                throw new MisconfiguredException("cannot enable TTL on attribute " + EXPIRES_AT + " of DynamoDB table '" + table
                        + "': " + e.awsErrorDetails().errorMessage(), e);
            }
        }
    }

    private static boolean timeToLiveOn(DynamoDbClient dynamoDb, String table) {
        TimeToLiveDescription ttl = dynamoDb.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
        boolean on = ttl != null && (ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLED
                || ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLING);
        if (on && !EXPIRES_AT.equals(ttl.attributeName())) {
            throw new MisconfiguredException("DynamoDB table '" + table + "' has TTL on attribute '" + ttl.attributeName()
                    + "', but Lifeguard writes its expiry to '" + EXPIRES_AT + "'");
        }
        return on;
    }

    private static AttributeDefinition string(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static KeySchemaElement key(String name, KeyType type) {
        return KeySchemaElement.builder().attributeName(name).keyType(type).build();
    }

    private static GlobalSecondaryIndex index(String name, String hash) {
        return GlobalSecondaryIndex.builder().indexName(name)
                .keySchema(key(hash, KeyType.HASH), key(CREATED_AT, KeyType.RANGE))
                .projection(p -> p.projectionType(ProjectionType.ALL))
                .build();
    }
}
