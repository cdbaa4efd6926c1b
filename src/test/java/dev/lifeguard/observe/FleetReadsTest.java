package dev.lifeguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.FleetView;
import dev.lifeguard.store.LifeguardTable;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The page's fleet view, read against DynamoDB Local: however often pages ask, the table's index
 * is queried at most once every 10 s, and an event claimed meanwhile shows from the next read.
 */
class FleetReadsTest {
    private static final String TABLE = "fleet-reads-" + UUID.randomUUID();

    @Test
    void theTableIsQueriedAtMostOnceEveryTenSecondsHoweverOftenPagesAsk() {
        DynamoDbClient dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
        MovingClock clock = new MovingClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        AtomicInteger queries = new AtomicInteger();
        FleetReads reads = new FleetReads(new FleetView(countingQueries(dynamoDb, queries), TABLE), clock);
        Claims claims = new Claims(dynamoDb, TABLE, "replica-a", Duration.ofMinutes(5), Duration.ofDays(1), clock);

        LifecycleEvent first = Fixtures.parse(Fixtures.terminatingHook("fleet-reads"));
        claims.claim(first);
        String answer = reads.json();
        assertTrue(answer.contains(first.idempotencyKey()), answer);
        int perRead = queries.get();
        assertTrue(perRead > 0, "the first read queries the index");

        LifecycleEvent second = Fixtures.parse(Fixtures.terminatingHook("fleet-reads"));
        claims.claim(second);
        clock.advance(Duration.ofSeconds(9));
        for (int page = 0; page < 5; page++) {
            assertFalse(reads.json().contains(second.idempotencyKey()), "the last answer, not a new read");
        }
        assertEquals(perRead, queries.get(), "five pages within 10 s cost no query");

        clock.advance(Duration.ofSeconds(1));
        assertTrue(reads.json().contains(second.idempotencyKey()), "read again once 10 s have passed");
        assertEquals(2 * perRead, queries.get());
    }

    /** The real client, counting the Query pages the view asks for (it reads through a paginator). */
    private static DynamoDbClient countingQueries(DynamoDbClient client, AtomicInteger queries) {
        return (DynamoDbClient) Proxy.newProxyInstance(DynamoDbClient.class.getClassLoader(), new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("query") || method.getName().equals("queryPaginator")) {
                        queries.incrementAndGet();
                    }
                    try {
                        return method.invoke(client, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
