package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.LifeguardTable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** {@code status}'s answers besides a busy fleet (FleetStatusTest): nothing in flight, a lapsed lease, a table without the index, a bad argument. */
class StatusCommandTest {
    private final DynamoDbClient dynamoDb = LocalAws.shared().dynamoDb();

    @Test
    void nothingInFlightSaysSoAndExitsOne() throws Exception {
        String table = table();
        CommandOutput text = status(table);
        assertEquals(1, text.status(), text::toString);
        assertEquals("nothing in flight in table " + table + ": no event is claimed or waiting to be tried again\n", text.out());
        CommandOutput json = status(table, "--json");
        assertEquals(1, json.status(), json::toString);
        assertEquals(0, Fixtures.parseTree(json.out()).get("events").size(), json.out());
    }

    @Test
    void aClaimWhoseLeaseLapsedIsShownAsLapsed() {
        String table = table();
        // Claimed ten minutes ago with a one-minute lease, never renewed: its replica died.
        MovingClock then = new MovingClock(Instant.now().minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS));
        LifecycleEvent hook = Fixtures.parse(Fixtures.terminatingHook("status-lapsed"));
        new Claims(dynamoDb, table, "worker-gone", Duration.ofMinutes(1), Duration.ofDays(30), then).claim(hook);
        CommandOutput run = status(table);
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().startsWith("In flight in table " + table + ": 1 event held by 1 replica, oldest first."), run.out());
        String row = run.out().lines().filter(line -> line.contains(hook.instanceId())).findFirst().orElseThrow();
        assertTrue(row.contains("worker-gone") && row.contains("lapsed 9 min") && row.contains("ago: taken over on its next delivery"),
                row);
    }

    @Test
    void aTableCreatedBeforeTheIndexGetsTheCommandThatAddsIt() {
        String table = "status-old-" + UUID.randomUUID();
        Fixtures.tableWithoutIndexes(dynamoDb, table);
        CommandOutput run = status(table);
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().startsWith("lifeguard status: DynamoDB table '" + table + "' has no index 'in-flight'"), run.err());
        assertTrue(run.err().contains("add it with: aws dynamodb update-table --table-name " + table), run.err());
        assertEquals("", run.out());
    }

    @Test
    void anUnknownArgumentIsOneLineAndExitTwo() {
        CommandOutput run = status(table(), "--all");
        assertEquals(2, run.status(), run::toString);
        assertEquals("lifeguard status: unknown argument \"--all\"; usage: lifeguard status [--json]\n", run.err());
    }

    private String table() {
        String table = "status-" + UUID.randomUUID();
        LifeguardTable.ensureExists(dynamoDb, table, true);
        return table;
    }

    private CommandOutput status(String table, String... args) {
        return CommandOutput.onTable(table, () -> dynamoDb, "status", args);
    }
}
