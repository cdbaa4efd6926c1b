package dev.lifeguard.store;

import dev.lifeguard.MovingClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.local.LocalAws;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Claim semantics against DynamoDB Local, with two workers and a clock the test moves. */
class DynamoDbIdempotentRepositoryTest {
    private static final String TABLE = "claims-test";
    private static DynamoDbClient dynamoDb;

    private final MovingClock clock = new MovingClock();
    private final DynamoDbIdempotentRepository workerA = new DynamoDbIdempotentRepository(dynamoDb, TABLE, "worker-a", 60, clock);
    private final DynamoDbIdempotentRepository workerB = new DynamoDbIdempotentRepository(dynamoDb, TABLE, "worker-b", 60, clock);
    private final String key = "hook#" + UUID.randomUUID();

    @BeforeAll
    static void table() {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
    }

    @Test
    void aNewKeyIsClaimedOnceAndADoneKeyIsADuplicate() {
        assertTrue(workerA.add(key));
        assertTrue(workerA.contains(key));
        assertTrue(workerA.confirm(key));
        assertFalse(workerB.add(key), "a confirmed event is a duplicate for everyone");
        assertFalse(workerA.add(key));
        assertEquals("DONE", status());
        assertEquals("1", item().get("attempts").n());
    }

    @Test
    void aReleasedClaimCanBeTakenAgainAndCountsAttempts() {
        assertTrue(workerA.add(key));
        assertTrue(workerA.remove(key));
        assertEquals("RELEASED", status());
        assertFalse(workerA.contains(key));
        assertTrue(workerB.add(key), "the redelivery retries after a failure");
        assertEquals("2", item().get("attempts").n());
        assertEquals("worker-b", item().get("owner").s());
    }

    @Test
    void aLiveClaimOfAnotherWorkerIsHeldNotSkipped() {
        assertTrue(workerA.add(key));
        ClaimHeldException held = assertThrows(ClaimHeldException.class, () -> workerB.add(key));
        assertTrue(held.getMessage().contains("worker-a"), held::getMessage);
    }

    @Test
    void anExpiredClaimIsTakenOverAndTheDeadOwnerCannotFinishIt() {
        assertTrue(workerA.add(key));
        clock.advance(Duration.ofSeconds(61));
        assertFalse(workerB.contains(key), "an expired claim protects nothing");
        assertTrue(workerB.add(key), "worker-a died; worker-b takes over");
        assertFalse(workerA.confirm(key), "worker-a's late confirm must not overwrite worker-b's claim");
        assertFalse(workerA.remove(key));
        assertTrue(workerB.confirm(key));
        assertEquals("DONE", status());
    }

    @Test
    void ofManyWorkersRacingForOneEventExactlyOneWins() throws Exception {
        int workers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Boolean>> claims = new java.util.ArrayList<>();
        for (int i = 0; i < workers; i++) {
            DynamoDbIdempotentRepository worker = new DynamoDbIdempotentRepository(dynamoDb, TABLE, "worker-" + i, 60, clock);
            claims.add(pool.submit(() -> {
                start.await();
                try {
                    return worker.add(key);
                } catch (ClaimHeldException held) {
                    return false;
                }
            }));
        }
        start.countDown();
        int won = 0;
        for (java.util.concurrent.Future<Boolean> claim : claims) {
            won += claim.get() ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, won, "exactly one worker holds the claim");
        assertEquals("1", item().get("attempts").n());
    }

    @Test
    void clearIsRefused() {
        assertThrows(UnsupportedOperationException.class, workerA::clear);
    }

    private Map<String, AttributeValue> item() {
        return dynamoDb.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }

    private String status() {
        return item().get("status").s();
    }
}
