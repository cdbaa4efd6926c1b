package dev.lifeguard.store;

import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The terminating hooks whose instances Auto Scaling retained, read from the table: every one
 * waiting for {@code resume} (the in-flight index's {@link LifeguardTable#RETAINED_SHARD}
 * partition), and the newest of one instance, with what its steps recorded.
 */
public class RetainedEvents {
    /** Results a terminating hook's record may have that {@code resume} looks at. */
    private static final Set<String> RESUMABLE = Set.of(Outcome.RETAINED.name(), Outcome.RESUMED.name());

    private final DynamoDbClient dynamoDb;
    private final String table;

    public RetainedEvents(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    /**
     * One retained (or resumed) hook's record: its key, the event as the record describes it (no
     * token: the action ended when it was abandoned), its result, and what each step recorded.
     */
    public record Retained(String key, LifecycleEvent event, Outcome result, Map<String, StepRecord> steps,
                           Map<String, AttributeValue> item) {
        public String text(String name) {
            AttributeValue value = item.get(name);
            return value == null ? null : value.s();
        }
    }

    /** Every record waiting for {@code resume}, oldest first. */
    public List<Map<String, AttributeValue>> all() {
        return dynamoDb.queryPaginator(r -> r.tableName(table)
                        .indexName(LifeguardTable.IN_FLIGHT)
                        .keyConditionExpression("#k = :v")
                        .expressionAttributeNames(Map.of("#k", LifeguardTable.IN_FLIGHT_SHARD))
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS(LifeguardTable.RETAINED_SHARD))))
                .items().stream().toList();
    }

    /** The newest terminating hook of the instance that was retained (or resumed since), if any. */
    public Optional<Retained> newest(String instanceId) {
        return dynamoDb.queryPaginator(r -> r.tableName(table)
                        .indexName(LifeguardTable.BY_INSTANCE)
                        .keyConditionExpression("#k = :v")
                        .expressionAttributeNames(Map.of("#k", LifeguardTable.INSTANCE_ID))
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS(instanceId)))
                        .scanIndexForward(false))
                .items().stream()
                .filter(item -> Kind.TERMINATING.name().equals(Claims.text(item, "kind"))
                        && RESUMABLE.contains(Claims.text(item, "result")))
                .findFirst()
                // The index holds a copy: read the item itself, consistently, for its latest steps.
                .map(item -> dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                        .key(Claims.key(Claims.text(item, LifeguardTable.KEY)))).item())
                .map(RetainedEvents::retained);
    }

    private static Retained retained(Map<String, AttributeValue> item) {
        String envelope = Claims.text(item, "envelope");
        LifecycleEvent event = new LifecycleEvent(Kind.TERMINATING, Claims.text(item, "eventName"),
                envelope == null ? null : Envelope.valueOf(envelope), Claims.text(item, LifeguardTable.GROUP_NAME),
                Claims.text(item, LifeguardTable.INSTANCE_ID), Claims.text(item, "hookName"), null, null,
                Claims.text(item, "requestId"), Claims.text(item, "messageId"), Claims.text(item, "eventTime"),
                Claims.text(item, "origin"), Claims.text(item, "destination"), null, null, null,
                Claims.text(item, "account"), Claims.text(item, "region"));
        return new Retained(Claims.text(item, LifeguardTable.KEY), event, Outcome.valueOf(Claims.text(item, "result")),
                Claims.steps(item), item);
    }
}
