package dev.lifeguard.store;

import dev.lifeguard.MisconfiguredException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The DynamoDB table holding one item per event: its claim (who is acting on it) and its
 * outcome (what was done). The key is the event's idempotency key in attribute {@code pk}.
 */
public final class LifeguardTable {
    public static final String KEY = "pk";

    private LifeguardTable() {
    }

    /** Checks the table exists, creating it (on-demand billing) when allowed. */
    public static void ensureExists(DynamoDbClient dynamoDb, String table, boolean create) {
        try {
            dynamoDb.describeTable(r -> r.tableName(table));
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
                    .attributeDefinitions(AttributeDefinition.builder().attributeName(KEY).attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName(KEY).keyType(KeyType.HASH).build()));
        } catch (ResourceInUseException anotherReplicaCreatedIt) {
            // Two replicas started together: the other one created it; wait for it like our own.
        }
        dynamoDb.waiter().waitUntilTableExists(r -> r.tableName(table));
    }
}
