package dev.lifeguard.cli;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.store.FleetView;
import dev.lifeguard.store.LifeguardTable;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * {@code status [--json]}: every event in flight across the replicas, from the table's sparse
 * {@code in-flight} index ({@link FleetView}): who holds each, until when, which attempt, and
 * what its steps recorded so far. Oldest first, as a terminal table or as JSON (the fleet view's).
 */
final class StatusCommand {
    static final String USAGE = "usage: lifeguard status [--json]";

    private final Supplier<DynamoDbClient> dynamoDb;
    private final String table;
    private final PrintStream out;
    private final Clock clock;

    StatusCommand(Supplier<DynamoDbClient> dynamoDb, String table, PrintStream out, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.out = out;
        this.clock = clock;
    }

    int run(List<String> args) {
        boolean json = false;
        for (String arg : args) {
            if (arg.equals("--json")) {
                json = true;
            } else {
                throw new CommandException(Commands.MISTAKE, "unknown argument " + Identifiers.quote(arg) + "; " + USAGE);
            }
        }
        IndexCheck.require(dynamoDb, table, LifeguardTable.IN_FLIGHT, FleetView.missingIndex(table));
        FleetView view = new FleetView(dynamoDb.get(), table);
        List<FleetView.Event> events;
        List<FleetView.Retained> retained;
        try {
            events = view.events();
            retained = view.retained();
        } catch (DynamoDbException e) {
            throw new CommandException(Commands.MISTAKE, view.refusal(e));
        }
        if (json) {
            out.println(new FleetView.Snapshot(true, null, events, retained).json());
            return events.isEmpty() ? Commands.NOTHING : Commands.OK;
        } else if (events.isEmpty()) {
            out.println("nothing in flight in table " + table + ": no event is claimed or waiting to be tried again");
        } else {
            StatusText.print(out, table, events, clock.instant());
        }
        if (!retained.isEmpty()) {
            out.println();
            out.println(retained.size() + " retained instance" + (retained.size() == 1 ? "" : "s")
                    + " wait for resume: `lifeguard history --retained` lists them");
        }
        return events.isEmpty() ? Commands.NOTHING : Commands.OK;
    }
}
