package dev.lifeguard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** A command run in-process, with what it printed and its exit status. */
record CommandOutput(int status, String out, String err) {

    static CommandOutput run(Map<String, String> settings, Supplier<DynamoDbClient> dynamoDb, Supplier<Ec2Client> ec2,
                             String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Commands.run(args, settings::get, new Commands.Aws(dynamoDb, ec2),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandOutput(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A command that reads only the table: {@code command args…} with {@code lifeguard.table} set, and no EC2. */
    static CommandOutput onTable(String table, Supplier<DynamoDbClient> dynamoDb, String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return run(Map.of("lifeguard.table", table), dynamoDb, never("EC2"), all);
    }

    static <T> Supplier<T> never(String what) {
        return () -> {
            throw new AssertionError("the command must not call " + what);
        };
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
    }
}
