package dev.lifeguard.cli;

import dev.lifeguard.Settings;
import dev.lifeguard.store.LifeguardTable;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Before a command queries an index: the table must exist and have the index, built; otherwise
 * one line says which, and how to add it (a table created before the index was).
 */
final class IndexCheck {
    private IndexCheck() {
    }

    /** @param missing what to say when the table lacks the index */
    static void require(Supplier<DynamoDbClient> dynamoDb, String table, String index, String missing) {
        TableDescription description;
        try {
            description = dynamoDb.get().describeTable(r -> r.tableName(table)).table();
        } catch (ResourceNotFoundException e) {
            throw new CommandException(Commands.MISTAKE, "DynamoDB table '" + table + "' does not exist"
                    + " (set " + Settings.TABLE.environmentVariable() + ", " + Settings.TABLE.name() + ", to the service's table)");
        }
        if (LifeguardTable.missingIndexes(description).contains(index)) {
            throw new CommandException(Commands.MISTAKE, missing);
        }
        description.globalSecondaryIndexes().stream()
                .filter(i -> i.indexName().equals(index) && i.indexStatus() != IndexStatus.ACTIVE)
                .map(GlobalSecondaryIndexDescription::indexStatusAsString)
                .findFirst()
                .ifPresent(status -> {
                    throw new CommandException(Commands.MISTAKE, "index '" + index + "' of DynamoDB table '" + table
                            + "' is " + status + ", not yet ACTIVE: try again once DynamoDB has built it");
                });
    }
}
