package dev.lifeguard.cli;

import dev.lifeguard.Settings;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.RetainedEvents;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code history [--json] [--limit N] [--group] <instance-id | group-name>}: what Lifeguard did
 * for an instance or a group, and when, read from the table's {@code by-instance} or
 * {@code by-group} index. The newest {@code N} records (50 unless told) are printed oldest first,
 * as a log reads. An argument shaped like an instance id is an instance; {@code --group} reads it
 * as a group name instead (AWS allows a group called {@code i-0123abcd}). {@code --retained} lists
 * every terminating hook whose instance Auto Scaling retained and {@code resume} has not ended.
 */
final class HistoryCommand {
    static final int DEFAULT_LIMIT = 50;
    static final String USAGE = "usage: lifeguard history [--json] [--limit N] [--group] <instance-id | group-name>"
            + " | history [--json] --retained";

    private final Supplier<DynamoDbClient> dynamoDb;
    private final String table;
    private final PrintStream out;

    HistoryCommand(Supplier<DynamoDbClient> dynamoDb, String table, PrintStream out) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.out = out;
    }

    /** Who the records are about: an instance or a group, and the index that lists them. */
    record Subject(String what, String value, String index) {
        String describe() {
            return what + " " + Identifiers.forLog(value);
        }
    }

    int run(List<String> args) {
        boolean json = false;
        boolean group = false;
        boolean retained = false;
        int limit = DEFAULT_LIMIT;
        String target = null;
        boolean options = true;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (options && arg.startsWith("--")) {
                switch (arg) {
                    case "--json" -> json = true;
                    case "--group" -> group = true;
                    case "--retained" -> retained = true;
                    case "--limit" -> limit = limit(i + 1 < args.size() ? args.get(++i) : null);
                    case "--" -> options = false;
                    default -> throw new CommandException(Commands.MISTAKE, "unknown option " + Identifiers.quote(arg) + "; " + USAGE);
                }
            } else if (target == null) {
                target = arg;
            } else {
                throw new CommandException(Commands.MISTAKE, "one instance or group at a time; " + USAGE);
            }
        }
        if (retained) {
            if (target != null) {
                throw new CommandException(Commands.MISTAKE, "--retained lists every retained instance, name none; " + USAGE);
            }
            return retained(json);
        }
        if (target == null) {
            throw new CommandException(Commands.MISTAKE, "name an instance or a group; " + USAGE);
        }
        Subject subject = subject(target, group);
        IndexCheck.require(dynamoDb, table, subject.index(), "DynamoDB table '" + table + "' has no index '" + subject.index()
                + "' (it was created before Lifeguard listed records); add it with: "
                + LifeguardTable.howToAdd(table, subject.index()));
        List<Map<String, AttributeValue>> records = newest(subject, limit);
        if (json) {
            out.println(HistoryText.json(records));
        } else if (records.isEmpty()) {
            String hint = subject.what().equals("group") && target.startsWith("i-")
                    ? " (it is not an instance id: i- and 8 or 17 hex digits)" : "";
            out.println("no records for " + subject.describe() + hint + " in table " + table
                    + " (a record is kept " + Settings.RETENTION_DAYS.name() + " after its last write)");
        } else {
            HistoryText.print(out, subject, table, records, limit);
        }
        return records.isEmpty() ? Commands.NOTHING : Commands.OK;
    }

    /** Every terminating hook whose instance Auto Scaling retained and no {@code resume} has ended yet. */
    private int retained(boolean json) {
        IndexCheck.require(dynamoDb, table, LifeguardTable.IN_FLIGHT, "DynamoDB table '" + table + "' has no index '"
                + LifeguardTable.IN_FLIGHT + "'; add it with: " + LifeguardTable.howToAdd(table, LifeguardTable.IN_FLIGHT));
        List<Map<String, AttributeValue>> records = new RetainedEvents(dynamoDb.get(), table).all();
        if (json) {
            out.println(HistoryText.json(records));
        } else if (records.isEmpty()) {
            out.println("no retained instances waiting for resume in table " + table);
        } else {
            HistoryText.print(out, new Subject("retained", "instances", LifeguardTable.IN_FLIGHT), table, records, Integer.MAX_VALUE);
        }
        return records.isEmpty() ? Commands.NOTHING : Commands.OK;
    }

    static Subject subject(String target, boolean forceGroup) {
        if (!forceGroup && Identifiers.isInstanceId(target)) {
            return new Subject("instance", target, LifeguardTable.BY_INSTANCE);
        }
        if (Identifiers.isGroupName(target)) {
            return new Subject("group", target, LifeguardTable.BY_GROUP);
        }
        throw new CommandException(Commands.MISTAKE, Identifiers.quote(target) + " is neither an EC2 instance id"
                + " (i- and 8 or 17 hex digits) nor an Auto Scaling group name (1 to 255 characters, no control characters"
                + " but tab, CR and LF)");
    }

    private static int limit(String value) {
        try {
            int limit = Integer.parseInt(String.valueOf(value));
            if (limit > 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new CommandException(Commands.MISTAKE, "--limit takes a positive number, not " + Identifiers.quote(value));
    }

    /** The newest {@code limit} records, oldest first. */
    private List<Map<String, AttributeValue>> newest(Subject subject, int limit) {
        String hash = LifeguardTable.INDEXES.get(subject.index());
        List<Map<String, AttributeValue>> records = new ArrayList<>(dynamoDb.get().queryPaginator(r -> r.tableName(table)
                        .indexName(subject.index())
                        .keyConditionExpression("#k = :v")
                        .expressionAttributeNames(Map.of("#k", hash))
                        .expressionAttributeValues(Map.of(":v", AttributeValue.fromS(subject.value())))
                        .scanIndexForward(false)
                        .limit(Math.min(limit, 100)))
                .items().stream().limit(limit).toList());
        Collections.reverse(records);
        return records;
    }
}
