package dev.lifeguard.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.steps.StepsReport;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    private static final Duration RETENTION = Duration.ofDays(30);
    private static DynamoDbClient dynamoDb;

    /**
     * From the real time: the table has TTL on expiresAt, and DynamoDB Local deletes expired
     * items, so a claim dated in the past would vanish mid-test.
     */
    private final MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final Instant start = clock.instant();
    private final Claims workerA = new Claims(dynamoDb, TABLE, "worker-a", LEASE, RETENTION, clock);
    private final Claims workerB = new Claims(dynamoDb, TABLE, "worker-b", LEASE, RETENTION, clock);
    private final LifecycleEvent event = Fixtures.parse(Fixtures.fresh(Fixtures.read("hook-terminating.json")));
    private final String key = event.idempotencyKey();

    @BeforeAll
    static void table() {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
    }

    @Test
    void aNewEventIsClaimedOnceAndAFinishedOneIsADuplicate() {
        assertEquals(new Claims.Taken(1, Map.of(), false), workerA.claim(event));
        assertTrue(outcomes("worker-a").finish(event, Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of()),
                HookResult.CONTINUE, null, true), "the claim and the outcome are written in one update");
        assertInstanceOf(Claims.Done.class, workerB.claim(event));
        assertInstanceOf(Claims.Done.class, workerA.claim(event));
        assertEquals("DONE", item().get("status").s());
        assertEquals("SUCCEEDED", item().get("result").s());
        assertEquals("1", item().get("attempts").n());
    }

    @Test
    void aLiveClaimIsHeldUntilItsLeaseEndsAndRenewingMovesThatEnd() {
        workerA.claim(event);
        Claims.Held held = assertInstanceOf(Claims.Held.class, workerB.claim(event));
        assertEquals("worker-a", held.owner());
        assertEquals(start.plus(LEASE), held.leaseEnd());

        clock.advance(Duration.ofSeconds(50));
        assertTrue(workerA.renewal(key).ours());
        clock.advance(Duration.ofSeconds(50));
        assertInstanceOf(Claims.Held.class, workerB.claim(event), "100 s after the claim, the renewed lease still holds");
        assertEquals("1", item().get("attempts").n(), () -> "meeting a held claim is not an attempt " + item());
    }

    @Test
    void aCommandStatusHeardByAnotherReplicaReachesTheHolderAtItsNextRenewalOnce() {
        workerA.claim(event);
        CommandWaits waits = new CommandWaits(dynamoDb, TABLE, RETENTION, clock);
        String commandId = java.util.UUID.randomUUID().toString();
        waits.save(commandId, event.instanceId(), new CommandWaits.Wait(key, "drain"));

        // Replica B hears the status event: it finds the claim from the command and notes it there.
        CommandWaits.Wait wait = waits.find(commandId, event.instanceId()).orElseThrow();
        assertEquals(new CommandWaits.Wait(key, "drain"), wait);
        assertTrue(workerB.notePushed(wait.claimKey(), wait.step()));
        assertTrue(waits.find(commandId, "i-0123456789abcdef0").isEmpty(), "another instance's command is not this wait");

        assertEquals(new Claims.Renewal(true, java.util.Set.of("drain")), workerA.renewal(key));
        assertEquals(new Claims.Renewal(true, java.util.Set.of()), workerA.renewal(key), "a note is taken once");
        assertEquals(new Claims.Renewal(false, java.util.Set.of()), workerB.renewal(key), "B does not hold the claim");

        assertTrue(outcomes("worker-a").finish(event, Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of()),
                HookResult.CONTINUE, null, true));
        assertFalse(workerB.notePushed(key, "drain"), "a finished event is not noted");
        assertFalse(item().containsKey("pushedSteps"), () -> "nothing is noted on a finished event: " + item());
    }

    @Test
    void anExpiredClaimIsTakenOverWithTheStepsItRecordedAndTheDeadOwnerCannotFinishIt() {
        workerA.claim(event);
        assertTrue(workerA.recordStep(key, "clean", new StepRecord("SUCCEEDED", "2 states", null, 1_000)));
        assertTrue(workerA.recordStep(key, "drain", new StepRecord(StepRecord.WAITING, null, "command-1", 2_000)));
        clock.advance(Duration.ofSeconds(61));

        Claims.Taken taken = assertInstanceOf(Claims.Taken.class, workerB.claim(event));
        assertEquals(2, taken.attempt());
        assertTrue(taken.tookOver(), "worker-a's lease had run out: a takeover");
        assertTrue(taken.steps().get("clean").ended(), "a succeeded step is not run again");
        assertEquals("command-1", taken.steps().get("drain").handle(), "a parked wait is resumed, not sent again");
        assertEquals(2_000, taken.steps().get("drain").startedAt());

        assertFalse(workerA.renewal(key).ours(), "the dead owner learns its claim is gone");
        assertFalse(workerA.recordStep(key, "drain", new StepRecord("SUCCEEDED", "late", null, 2_000)));
        assertFalse(outcomes("worker-a").finish(event, Outcome.SUCCEEDED, null, HookResult.CONTINUE, null, true),
                "the dead owner's late outcome must not overwrite worker-b's claim");
        assertEquals("worker-b", item().get("owner").s());
        assertEquals("CLAIMED", item().get("status").s());
    }

    @Test
    void theOwnerCanClaimAgainAfterAReleaseThatNeverLanded() {
        workerA.claim(event);
        // The release failed (DynamoDB was unreachable): the item still says CLAIMED by worker-a.
        Claims.Taken again = assertInstanceOf(Claims.Taken.class, workerA.claim(event));
        assertEquals(2, again.attempt());
        assertFalse(again.tookOver(), "its own claim: no takeover");
    }

    @Test
    void aReleasedClaimCountsItsAttemptAndAHandBackDoesNot() {
        workerA.claim(event);
        assertTrue(workerA.release(key));
        Claims.Taken afterRelease = assertInstanceOf(Claims.Taken.class, workerB.claim(event));
        assertEquals(2, afterRelease.attempt());
        assertFalse(afterRelease.tookOver(), "released, not taken over");
        assertTrue(workerB.handBack(key));
        assertEquals("RELEASED", item().get("status").s());
        assertEquals(2, assertInstanceOf(Claims.Taken.class, workerA.claim(event)).attempt(),
                "handed back at shutdown: the next claim is the same attempt");
    }

    @Test
    void ofManyWorkersRacingForOneEventExactlyOneWins() throws Exception {
        int workers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Claims.Claim>> claims = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Claims worker = new Claims(dynamoDb, TABLE, "worker-" + i, LEASE, RETENTION, clock);
            claims.add(pool.submit(() -> {
                start.await();
                return worker.claim(event);
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

    @Test
    void everyWriteSetsTheExpiryToTheRetentionAfterIt() {
        workerA.claim(event);
        assertEquals(epochSeconds(start.plus(RETENTION)), item().get("expiresAt").n(), "the first claim");

        clock.advance(Duration.ofHours(2));
        assertTrue(workerA.renewal(key).ours());
        assertEquals(epochSeconds(clock.instant().plus(RETENTION)), item().get("expiresAt").n(), "a renewal moves it on");

        clock.advance(Duration.ofHours(3));
        assertTrue(outcomes("worker-a").finish(event, Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of()),
                HookResult.CONTINUE, null, true));
        assertEquals(epochSeconds(clock.instant().plus(RETENTION)), item().get("expiresAt").n(), "the outcome, in the same update");
    }

    @Test
    void refusedRecordsAndInstanceFactsExpireToo() {
        String messageId = java.util.UUID.randomUUID().toString();
        assertTrue(outcomes("worker-a").refused(messageId, "not JSON"));
        Map<String, AttributeValue> refused = item("refused#" + messageId);
        assertEquals(epochSeconds(start.plus(RETENTION)), refused.get("expiresAt").n());
        assertEquals(LifeguardTable.time(start), refused.get("createdAt").s());

        new InstanceFactsStore(dynamoDb, TABLE, RETENTION, clock).save(
                new dev.lifeguard.steps.InstanceFacts("i-0123456789abcdef0", "running", "10.0.0.7", null, null, null, null));
        assertEquals(epochSeconds(start.plus(RETENTION)), item("instance#i-0123456789abcdef0").get("expiresAt").n());
    }

    @Test
    void aClaimCarriesWhatListsItFromItsFirstWrite() {
        workerA.claim(event);
        Map<String, AttributeValue> claimed = item();
        assertEquals(event.instanceId(), claimed.get("instanceId").s());
        assertEquals(event.groupName(), claimed.get("groupName").s());
        assertEquals("TERMINATING", claimed.get("kind").s());
        assertEquals(start.toString().replace("Z", ".000Z"), claimed.get("createdAt").s(), "fixed width, so that it sorts as text");

        List<Map<String, AttributeValue>> listed = dynamoDb.query(r -> r.tableName(TABLE).indexName(LifeguardTable.BY_INSTANCE)
                .keyConditionExpression("instanceId = :id")
                .expressionAttributeValues(Map.of(":id", AttributeValue.fromS(event.instanceId())))).items();
        assertTrue(listed.stream().anyMatch(i -> i.get("pk").s().equals(key)), "an event in progress is listed by instance");
        List<Map<String, AttributeValue>> byGroup = dynamoDb.query(r -> r.tableName(TABLE).indexName(LifeguardTable.BY_GROUP)
                .keyConditionExpression("groupName = :g")
                .expressionAttributeValues(Map.of(":g", AttributeValue.fromS(event.groupName())))).items();
        assertTrue(byGroup.stream().anyMatch(i -> i.get("pk").s().equals(key)), "and by group");
    }

    @Test
    void anOutcomeWrittenWithoutAClaimIsDatedAndListedToo() {
        assertTrue(outcomes("worker-a").finish(event, Outcome.GAVE_UP, null, HookResult.CONTINUE, "DynamoDB unreachable", false));
        Map<String, AttributeValue> written = item();
        assertEquals(LifeguardTable.time(start), written.get("createdAt").s());
        assertEquals(event.instanceId(), written.get("instanceId").s());
        assertEquals(epochSeconds(start.plus(RETENTION)), written.get("expiresAt").n());
    }

    private static String epochSeconds(Instant instant) {
        return Long.toString(instant.getEpochSecond());
    }

    private Map<String, AttributeValue> item(String pk) {
        return dynamoDb.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(pk)))).item();
    }

    private OutcomeRecorder outcomes(String owner) {
        return new OutcomeRecorder(dynamoDb, TABLE, owner, false, RETENTION, clock);
    }

    private Map<String, AttributeValue> item() {
        return dynamoDb.getItem(r -> r.tableName(TABLE).consistentRead(true).key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }
}
