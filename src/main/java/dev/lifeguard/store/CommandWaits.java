package dev.lifeguard.store;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Which claim waits on which SSM command: one small item per command and instance
 * ({@code command#<commandId>#<instanceId>} → the claim's key and the step's name), written when
 * the command's handle is recorded. A status event that reaches a replica not holding the wait
 * finds the claim with one GetItem, never a scan. The item carries no {@code instanceId} or
 * {@code groupName}, so it never shows in {@code history}.
 */
public class CommandWaits {
    /** A parked step waiting on a command: the claim's key and the step's name. */
    public record Wait(String claimKey, String step) {
    }

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Duration retention;
    private final Clock clock;

    public CommandWaits(DynamoDbClient dynamoDb, String table, Duration retention, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.retention = retention;
        this.clock = clock;
    }

    public void save(String commandId, String instanceId, Wait wait) {
        Map<String, AttributeValue> item = new HashMap<>(Claims.key(key(commandId, instanceId)));
        item.put("claimKey", Claims.s(wait.claimKey()));
        item.put("step", Claims.s(wait.step()));
        item.put(LifeguardTable.EXPIRES_AT, LifeguardTable.expiresAt(clock, retention));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    /** The wait on this command, if Lifeguard sent it. */
    public Optional<Wait> find(String commandId, String instanceId) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(Claims.key(key(commandId, instanceId)))
                .projectionExpression("claimKey, step")).item();
        if (item == null || !item.containsKey("claimKey")) {
            return Optional.empty();
        }
        return Optional.of(new Wait(Claims.text(item, "claimKey"), Claims.text(item, "step")));
    }

    static String key(String commandId, String instanceId) {
        return "command#" + commandId + "#" + instanceId;
    }
}
