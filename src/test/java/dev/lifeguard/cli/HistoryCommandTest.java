package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.OutcomeRecorder;
import dev.lifeguard.store.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code history} against DynamoDB Local, reading records the service's own store classes wrote:
 * an instance's launch that failed once and then succeeded, its drain, and an event still in
 * progress on another instance of the same group.
 */
class HistoryCommandTest {
    private static final String TABLE = "history-" + UUID.randomUUID();
    private static final String INSTANCE = "i-0a1b2c3d4e5f60718";
    private static final String OTHER = "i-0fedcba9876543210";
    private static final String GROUP = "web servers";
    private static final Duration LEASE = Duration.ofSeconds(300);
    private static final Duration RETENTION = Duration.ofDays(30);
    private static DynamoDbClient dynamoDb;
    private static Instant start;

    @BeforeAll
    static void records() {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
        // From the real time: DynamoDB Local deletes items whose expiresAt has passed.
        MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        start = clock.instant();
        Claims claims = new Claims(dynamoDb, TABLE, "worker-a", LEASE, RETENTION, clock);
        OutcomeRecorder outcomes = new OutcomeRecorder(dynamoDb, TABLE, "worker-a", false, RETENTION, clock);

        LifecycleEvent launching = event("hook-launching.json", INSTANCE);
        claims.claim(launching);
        clock.advance(Duration.ofSeconds(2));
        outcomes.finish(launching, Outcome.RETRYING, StepsReport.of("on-launching", List.of(
                StepResult.failed("accept", "salt-accept", 1_200, "salt-key -a web-1 failed (exit 1): no master", false))),
                null, "steps failed: accept FAILED", true);
        clock.advance(Duration.ofSeconds(60));
        claims.claim(launching);
        clock.advance(Duration.ofSeconds(3));
        outcomes.finish(launching, Outcome.SUCCEEDED, StepsReport.of("on-launching", List.of(
                new StepResult("accept", "salt-accept", "SUCCEEDED", 2_500, "key web-1 accepted", false))), HookResult.CONTINUE, null, true);

        clock.advance(Duration.ofHours(1));
        LifecycleEvent terminating = event("hook-terminating.json", INSTANCE);
        claims.claim(terminating);
        clock.advance(Duration.ofSeconds(95));
        outcomes.finish(terminating, Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of(
                new StepResult("nomad-drain", "ssm-command", "SUCCEEDED", 94_000, "Success commandId=c-1: drained", false))),
                HookResult.CONTINUE, null, true);

        clock.advance(Duration.ofMinutes(1));
        LifecycleEvent other = event("hook-terminating.json", OTHER);
        claims.claim(other);
        claims.recordStep(other.idempotencyKey(), "nomad-drain", new StepRecord(StepRecord.WAITING, null, "c-2", 0));
    }

    private static LifecycleEvent event(String fixture, String instance) {
        LifecycleEvent template = Fixtures.parse(Fixtures.read(fixture));
        return Fixtures.parse(Fixtures.fresh(Fixtures.read(fixture))
                .replace(template.instanceId(), instance)
                .replace("\"" + template.groupName() + "\"", "\"" + GROUP + "\""));
    }

    private static CommandOutput history(String... args) {
        return CommandOutput.onTable(TABLE, () -> dynamoDb, "history", args);
    }

    @Test
    void anInstancesRecordsOldestFirstWithResultsHookResultsAttemptsAndSteps() {
        CommandOutput run = history(INSTANCE);
        assertEquals(0, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.startsWith("History of instance " + INSTANCE + " in table " + TABLE + ": 2 records, oldest first."), out);
        int launch = out.indexOf(LifeguardTable.time(start) + "  launching  group \"web servers\"  hook web-launch-hook  via direct");
        int drain = out.indexOf(LifeguardTable.time(start.plusSeconds(65 + 3600)) + "  terminating  group \"web servers\"");
        assertTrue(launch >= 0 && drain > launch, out);
        assertTrue(out.contains("  result SUCCEEDED, hook completed CONTINUE, attempts 2, took 1 min 5 s (finished "
                + LifeguardTable.time(start.plusSeconds(65)) + ")"), out);
        assertTrue(out.contains("  step accept (salt-accept): SUCCEEDED in 2.5 s: key web-1 accepted"), out);
        assertTrue(out.contains("  step nomad-drain (ssm-command): SUCCEEDED in 1 min 34 s: Success commandId=c-1: drained"), out);
        assertTrue(out.contains("  error of an earlier attempt: steps failed: accept FAILED"), out);
        assertFalse(out.contains(OTHER), out);
    }

    @Test
    void aGroupsRecordsNameTheirInstancesAndShowAnEventInProgress() {
        CommandOutput run = history("web servers");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("History of group \"web servers\" in table " + TABLE + ": 3 records"), run.out());
        assertTrue(run.out().contains("  terminating  instance " + OTHER + "  hook do-some-work  via direct"), run.out());
        assertTrue(run.out().contains("  in progress: claimed by worker-a until "), run.out());
        assertTrue(run.out().contains("  step nomad-drain: WAITING on c-2"), run.out());
    }

    @Test
    void limitShowsTheNewestAndJsonHasEveryAttribute() throws Exception {
        CommandOutput run = history("--limit", "1", "--json", INSTANCE);
        assertEquals(0, run.status(), run::toString);
        JsonNode records = Fixtures.parseTree(run.out());
        assertEquals(1, records.size(), run.out());
        JsonNode drain = records.get(0);
        assertEquals("TERMINATING", drain.get("kind").asText());
        assertEquals("CONTINUE", drain.get("hookResult").asText());
        assertEquals(94_000, drain.get("stepResults").get(0).get("durationMillis").asLong());
        assertTrue(drain.get("expiresAt").isNumber());
    }

    @Test
    void noRecordsSaysSoAndExitsOne() {
        CommandOutput run = history("i-00000000");
        assertEquals(1, run.status(), run::toString);
        assertEquals("no records for instance i-00000000 in table " + TABLE
                + " (a record is kept lifeguard.table.retention-days after its last write)\n", run.out());
        CommandOutput group = history("i-123");
        assertEquals(1, group.status(), group::toString);
        assertTrue(group.out().contains("no records for group i-123 (it is not an instance id"), group.out());
    }

    @Test
    void badInputIsOneLineAndExitTwo() {
        for (String[] args : new String[][] {{}, {"bad\u0000group"}, {"x".repeat(256)}, {"--limit", "0", INSTANCE},
                {"--verbose", INSTANCE}, {INSTANCE, OTHER}}) {
            CommandOutput run = history(args);
            assertEquals(2, run.status(), run::toString);
            assertEquals("", run.out());
            assertTrue(run.err().startsWith("lifeguard history: ") && run.err().lines().count() == 1, run.err());
        }
        assertTrue(history("bad\u0000group").err().contains("is neither an EC2 instance id"));
    }

    @Test
    void aMissingTableOrIndexIsNamedWithHowToFixIt() {
        CommandOutput missing = CommandOutput.run(Map.of("lifeguard.table", "no-such-table"), () -> dynamoDb,
                CommandOutput.never("EC2"), "history", INSTANCE);
        assertEquals(2, missing.status(), missing::toString);
        assertEquals("lifeguard history: DynamoDB table 'no-such-table' does not exist (set LIFEGUARD_TABLE, lifeguard.table,"
                + " to the service's table)\n", missing.err());

        String old = "old-" + UUID.randomUUID();
        Fixtures.tableWithoutIndexes(dynamoDb, old);
        CommandOutput noIndex = CommandOutput.run(Map.of("lifeguard.table", old), () -> dynamoDb, CommandOutput.never("EC2"),
                "history", "web-asg");
        assertEquals(2, noIndex.status(), noIndex::toString);
        assertTrue(noIndex.err().startsWith("lifeguard history: DynamoDB table '" + old + "' has no index 'by-group'"), noIndex.err());
        assertTrue(noIndex.err().contains("aws dynamodb update-table --table-name " + old), noIndex.err());
        assertEquals(1, noIndex.err().lines().count());
    }
}
