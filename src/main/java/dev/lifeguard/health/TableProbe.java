package dev.lifeguard.health;

import dev.lifeguard.aws.Outages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Whether the table answers. An idle service calls DynamoDB rarely, so a {@code DescribeTable}
 * is made when the last one is older than {@link #EVERY} (a health check every few seconds costs
 * one call a quarter-minute at most), and an outage any other call met counts too.
 */
public final class TableProbe implements Supplier<Optional<String>> {
    static final Duration EVERY = Duration.ofSeconds(15);
    private static final Duration PATIENCE = Duration.ofSeconds(2);

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Outages outages;
    private final Clock clock;
    private Instant lastProbe = Instant.MIN;
    private Optional<String> lastProblem = Optional.empty();

    public TableProbe(DynamoDbClient dynamoDb, String table, Outages outages, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.outages = outages;
        this.clock = clock;
    }

    @Override
    public synchronized Optional<String> get() {
        Instant now = clock.instant();
        if (Duration.between(lastProbe, now).compareTo(EVERY) >= 0) {
            lastProbe = now;
            try {
                // Bounded, and without the SDK's retries: a health check must answer in seconds.
                dynamoDb.describeTable(r -> r.tableName(table).overrideConfiguration(o -> o.apiCallTimeout(PATIENCE)));
                lastProblem = Optional.empty();
            } catch (RuntimeException e) {
                lastProblem = Optional.of("table " + table + " cannot be read: " + Outages.describe(e));
            }
        }
        // The probe, answered, also ends an outage the service met; until then it is the reason.
        Optional<String> outage = outages.outage("DynamoDb");
        return outage.isPresent() ? outage.map(cause -> "DynamoDB does not answer: " + cause) : lastProblem;
    }
}
