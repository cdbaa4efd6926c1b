package dev.lifeguard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.steps.StepsReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Claims, leases and step records against DynamoDB Local, with workers and a clock the test moves. */
class ClaimsTest {
    private static final String TABLE = "claims-test";
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static DynamoDbClient dynamoDb;

    private final MovingClock clock = new MovingClock();
    private final Claims workerA = new Claims(dynamoDb, TABLE, "worker-a", LEASE, clock);
    private final Claims workerB = new Claims(dynamoDb, TABLE, "worker-b", LEASE, clock);
    private final LifecycleEvent event = Fixtures.parse(Fixtures.fresh(Fixtures.read("hook-terminating.json")));
    private final String key = event.idempotencyKey();

    @BeforeAll
    static void table() {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
    }

    @Test
    void aNewEventIsClaimedOnceAndAFinishedOneIsADuplicate() {
        assertEquals(new Claims.Taken(1, Map.of(), false), workerA.claim(key));
        assertTrue(outcomes("worker-a").finish(event, OutcomeRecorder.SUCCEEDED, StepsReport.of("on-terminating", List.of()),
                "CONTINUE", null, true), "the claim and the outcome are written in one update");
        assertInstanceOf(Claims.Done.class, workerB.claim(key));
        assertInstanceOf(Claims.Done.class, workerA.claim(key));
        assertEquals("DONE", item().get("status").s());
        assertEquals("SUCCEEDED", item().get("result").s());
        assertEquals("1", item().get("attempts").n());
    }

    @Test
    void aLiveClaimIsHeldUntilItsLeaseEndsAndRenewingMovesThatEnd() {
        workerA.claim(key);
        Claims.Held held = assertInstanceOf(Claims.Held.class, workerB.claim(key));
        assertEquals("worker-a", held.owner());
        assertEquals(MovingClock.START.plus(LEASE), held.leaseEnd());

        clock.advance(Duration.ofSeconds(50));
        assertTrue(workerA.renew(key));
        clock.advance(Duration.ofSeconds(50));
        assertInstanceOf(Claims.Held.class, workerB.claim(key), "100 s after the claim, the renewed lease still holds");
        assertEquals("1", item().get("attempts").n(), "meeting a held claim is not an attempt");
    }

    @Test
    void anExpiredClaimIsTakenOverWithTheStepsItRecordedAndTheDeadOwnerCannotFinishIt() {
        workerA.claim(key);
        assertTrue(workerA.recordStep(key, "clean", new StepRecord("SUCCEEDED", "2 states", null, 1_000)));
        assertTrue(workerA.recordStep(key, "drain", new StepRecord(StepRecord.WAITING, null, "command-1", 2_000)));
        clock.advance(Duration.ofSeconds(61));

        Claims.Taken taken = assertInstanceOf(Claims.Taken.class, workerB.claim(key));
        assertEquals(2, taken.attempt());
        assertTrue(taken.tookOver(), "worker-a's lease had run out: a takeover");
        assertTrue(taken.steps().get("clean").ended(), "a succeeded step is not run again");
        assertEquals("command-1", taken.steps().get("drain").handle(), "a parked wait is resumed, not sent again");
        assertEquals(2_000, taken.steps().get("drain").startedAt());

        assertFalse(workerA.renew(key), "the dead owner learns its claim is gone");
        assertFalse(workerA.recordStep(key, "drain", new StepRecord("SUCCEEDED", "late", null, 2_000)));
        assertFalse(outcomes("worker-a").finish(event, OutcomeRecorder.SUCCEEDED, null, "CONTINUE", null, true),
                "the dead owner's late outcome must not overwrite worker-b's claim");
        assertEquals("worker-b", item().get("owner").s());
        assertEquals("CLAIMED", item().get("status").s());
    }

    @Test
    void theOwnerCanClaimAgainAfterAReleaseThatNeverLanded() {
        workerA.claim(key);
        // The release failed (DynamoDB was unreachable): the item still says CLAIMED by worker-a.
        Claims.Taken again = assertInstanceOf(Claims.Taken.class, workerA.claim(key));
        assertEquals(2, again.attempt());
        assertFalse(again.tookOver(), "its own claim: no takeover");
    }

    @Test
    void aReleasedClaimCountsItsAttemptAndAHandBackDoesNot() {
        workerA.claim(key);
        assertTrue(workerA.release(key));
        Claims.Taken afterRelease = assertInstanceOf(Claims.Taken.class, workerB.claim(key));
        assertEquals(2, afterRelease.attempt());
        assertFalse(afterRelease.tookOver(), "released, not taken over");
        assertTrue(workerB.handBack(key));
        assertEquals("RELEASED", item().get("status").s());
        assertEquals(2, assertInstanceOf(Claims.Taken.class, workerA.claim(key)).attempt(),
                "handed back at shutdown: the next claim is the same attempt");
    }

    @Test
    void ofManyWorkersRacingForOneEventExactlyOneWins() throws Exception {
        int workers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Claims.Claim>> claims = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Claims worker = new Claims(dynamoDb, TABLE, "worker-" + i, LEASE, clock);
            claims.add(pool.submit(() -> {
                start.await();
                return worker.claim(key);
            }));
        }
        start.countDown();
        int won = 0;
        for (Future<Claims.Claim> claim : claims) {
            won += claim.get() instanceof Claims.Taken ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, won, "exactly one worker holds the claim");
        assertEquals("1", item().get("attempts").n());
    }

    private OutcomeRecorder outcomes(String owner) {
        return new OutcomeRecorder(dynamoDb, TABLE, owner, false, clock);
    }

    private Map<String, AttributeValue> item() {
        return dynamoDb.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }
}
