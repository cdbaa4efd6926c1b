package dev.lifeguard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.local.LocalAws;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;

/** Creating the table: its indexes and TTL, and replicas starting together with lifeguard.table.create=true (DynamoDB Local). */
class LifeguardTableTest {
    private final DynamoDbClient dynamoDb = LocalAws.shared().dynamoDb();

    @Test
    void replicasCreatingTheTableAtOnceAllFindItWithItsIndexesAndTtl() throws Exception {
        String table = "race-" + UUID.randomUUID();
        int replicas = 6;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> started = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            started.add(pool.submit(() -> {
                start.await();
                LifeguardTable.ensureExists(dynamoDb, table, true);
                return null;
            }));
        }
        start.countDown();
        for (Future<?> replica : started) {
            replica.get(); // throws when a replica's start-up failed (ResourceInUseException, a second UpdateTimeToLive)
        }
        pool.shutdown();
        TableDescription created = dynamoDb.describeTable(r -> r.tableName(table)).table();
        assertEquals("ACTIVE", created.tableStatusAsString());
        assertIndexes(created);
        assertTtlOn(table);
    }

    @Test
    void theIndexesAreExactlyTheOnesTheDeployTemplateNames() {
        String table = "indexes-" + UUID.randomUUID();
        LifeguardTable.ensureExists(dynamoDb, table, true);
        TableDescription created = dynamoDb.describeTable(r -> r.tableName(table)).table();
        assertIndexes(created);
        Map<String, ScalarAttributeType> attributes = created.attributeDefinitions().stream()
                .collect(Collectors.toMap(a -> a.attributeName(), a -> a.attributeType()));
        assertEquals(Map.of("pk", ScalarAttributeType.S, "instanceId", ScalarAttributeType.S, "groupName", ScalarAttributeType.S,
                "createdAt", ScalarAttributeType.S, "inFlight", ScalarAttributeType.S), attributes);
        assertTrue(LifeguardTable.missingIndexes(created).isEmpty());
        LifeguardTable.ensureExists(dynamoDb, table, true); // a restart finds it all in place
        assertTtlOn(table);
    }

    @Test
    void aTableCreatedBeforeTheIndexesStillServesAndNamesWhatItLacks() {
        String table = "old-" + UUID.randomUUID();
        Fixtures.tableWithoutIndexes(dynamoDb, table);
        LifeguardTable.ensureExists(dynamoDb, table, false);
        TableDescription old = dynamoDb.describeTable(r -> r.tableName(table)).table();
        assertEquals(List.of("by-group", "by-instance", "in-flight"), LifeguardTable.missingIndexes(old));
        assertTrue(LifeguardTable.howToAdd(table, "by-instance").contains("\"IndexName\":\"by-instance\""));
    }

    private static void assertIndexes(TableDescription table) {
        Map<String, GlobalSecondaryIndexDescription> indexes = table.globalSecondaryIndexes().stream()
                .collect(Collectors.toMap(GlobalSecondaryIndexDescription::indexName, i -> i));
        assertEquals(java.util.Set.of("by-instance", "by-group", "in-flight"), indexes.keySet());
        for (Map.Entry<String, String> expected : Map.of("by-instance", "instanceId", "by-group", "groupName",
                "in-flight", "inFlight").entrySet()) {
            GlobalSecondaryIndexDescription index = indexes.get(expected.getKey());
            assertEquals(expected.getValue(), index.keySchema().get(0).attributeName());
            assertEquals(KeyType.HASH, index.keySchema().get(0).keyType());
            assertEquals("createdAt", index.keySchema().get(1).attributeName());
            assertEquals(KeyType.RANGE, index.keySchema().get(1).keyType());
            assertEquals(ProjectionType.ALL, index.projection().projectionType());
        }
    }

    private void assertTtlOn(String table) {
        TimeToLiveDescription ttl = dynamoDb.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
        assertEquals("expiresAt", ttl.attributeName());
        assertTrue(ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLED || ttl.timeToLiveStatus() == TimeToLiveStatus.ENABLING,
                ttl::toString);
    }
}
