package dev.lifeguard.store;

import dev.lifeguard.steps.InstanceFacts;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Instance facts in the Lifeguard table, item {@code instance#<id>}: written while the
 * instance exists, read by cleanup after it is gone, when EC2 no longer knows its addresses.
 * Kept for the table's retention after the last time they were learnt.
 */
public class InstanceFactsStore {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration retention;
    private final Clock clock;

    /** @param retention how long the item is kept after its last write ({@link LifeguardTable#EXPIRES_AT}) */
    public InstanceFactsStore(DynamoDbClient dynamoDb, String table, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.retention = retention;
        this.clock = clock;
    }

    public void save(InstanceFacts facts) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(LifeguardTable.KEY, AttributeValue.fromS(key(facts.instanceId())));
        put(item, "instanceId", facts.instanceId());
        put(item, "state", facts.state());
        put(item, "privateIp", facts.privateIp());
        put(item, "publicIp", facts.publicIp());
        put(item, "privateDns", facts.privateDns());
        put(item, "publicDns", facts.publicDns());
        put(item, "nameTag", facts.nameTag());
        put(item, "updatedAt", LifeguardTable.time(clock.instant()));
        // No createdAt: facts are not an event, and stay out of the by-instance index.
        item.put(LifeguardTable.EXPIRES_AT, LifeguardTable.expiresAt(clock, retention));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    public Optional<InstanceFacts> load(String instanceId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                .key(Map.of(LifeguardTable.KEY, AttributeValue.fromS(key(instanceId))))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new InstanceFacts(instanceId, text(item, "state"), text(item, "privateIp"), text(item, "publicIp"),
                text(item, "privateDns"), text(item, "publicDns"), text(item, "nameTag")));
    }

    private static String key(String instanceId) {
        return "instance#" + instanceId;
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }
}
