package dev.lifeguard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lifeguard.local.LocalAws;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Replicas starting together with lifeguard.table.create=true all start (DynamoDB Local). */
class LifeguardTableTest {

    @Test
    void replicasCreatingTheTableAtOnceAllFindIt() throws Exception {
        DynamoDbClient dynamoDb = LocalAws.shared().dynamoDb();
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
            replica.get(); // throws when a replica's start-up failed (ResourceInUseException before the fix)
        }
        pool.shutdown();
        assertEquals("ACTIVE", dynamoDb.describeTable(r -> r.tableName(table)).table().tableStatusAsString());
    }
}
