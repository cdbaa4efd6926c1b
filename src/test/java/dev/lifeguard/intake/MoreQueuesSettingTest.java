package dev.lifeguard.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.MisconfiguredException;
import dev.lifeguard.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * lifeguard.more-queues: what it reads, and the mistakes that stop start-up naming it. Queue
 * URLs need no call to resolve, so the region check runs without SQS.
 */
class MoreQueuesSettingTest {
    private static final String HERE = "https://sqs.eu-west-1.amazonaws.com/111111111111/";

    @Test
    void pairsAreReadInOrderAndTrimmed() {
        Settings settings = Settings.from(with(" team-b = team-b-dlq ,team-c=team-c-dlq")::get);
        assertEquals(List.of(Map.entry("team-b", "team-b-dlq"), Map.entry("team-c", "team-c-dlq")),
                List.copyOf(settings.moreQueues().entrySet()));
        assertTrue(Settings.from(with("")::get).moreQueues().isEmpty(), "empty: only lifeguard.queue");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "team-b                    | 'team-b' is not queue=dead-letter-queue",
        "team-b=                   | 'team-b=' is not queue=dead-letter-queue",
        "team-b=x,team-b=y         | names queue team-b twice",
    })
    void mistakesStopStartUpNamingTheSetting(String value, String message) {
        MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(with(value)::get));
        assertTrue(error.getMessage().contains("lifeguard.more-queues"), error::getMessage);
        assertTrue(error.getMessage().contains(message), error::getMessage);
    }

    /** Checked on URLs, where a queue named by its name and by its URL is one queue. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "main     | x-dlq    | main is read twice",
        "team-b   | team-b   | team-b is read as an intake queue, so it cannot be the dead-letter queue of team-b too",
        "team-b   | main     | main is read as an intake queue, so it cannot be the dead-letter queue of team-b too",
        "main-dlq | x-dlq    | main-dlq is read as an intake queue, so it cannot be the dead-letter queue of main too",
    })
    void aQueueReadTwiceOrReadAndDeadLetteredToIsRefused(String queue, String deadLetters, String message) {
        MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> IntakeQueues.resolve(null, "eu-west-1",
                main(), named(Map.of(HERE + queue, HERE + deadLetters))));
        assertTrue(error.getMessage().contains(HERE + message), error::getMessage);
    }

    @Test
    void eachQueueGetsAKebabCaseRouteIdAndItsOwnDeadLetterQueue() {
        Map<String, String> more = new LinkedHashMap<>();
        more.put(HERE + "Team_B.fifo", HERE + "team-b-dlq");
        more.put(HERE + "team-b-fifo", HERE + "other-dlq");
        IntakeQueues queues = IntakeQueues.resolve(null, "eu-west-1", main(), named(more));

        assertEquals(List.of("sqs-intake", "sqs-intake-team-b-fifo", "sqs-intake-team-b-fifo-2"),
                queues.all().stream().map(IntakeQueues.IntakeQueue::routeId).toList());
        assertEquals(List.of(HERE + "main-dlq", HERE + "team-b-dlq", HERE + "other-dlq"),
                queues.all().stream().map(q -> q.deadLetters().url()).toList());
        assertEquals(List.of(HERE + "main", HERE + "Team_B.fifo", HERE + "team-b-fifo"),
                List.copyOf(queues.deadLetterQueues(null).keySet()), "a dead-letter queue for each queue read, by its URL");
    }

    @Test
    void aQueueInAnotherRegionIsRefusedWithWhatToDo() {
        MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> IntakeQueues.resolve(null, "eu-west-1",
                main(), named(Map.of("https://sqs.us-east-2.amazonaws.com/111111111111/far", HERE + "far-dlq"))));
        assertTrue(error.getMessage().contains("lifeguard.more-queues: queue https://sqs.us-east-2.amazonaws.com/111111111111/far"
                + " is in us-east-2, not in this service's region eu-west-1"), error::getMessage);
    }

    private static IntakeQueues.Named main() {
        return new IntakeQueues.Named(Map.of(HERE + "main", HERE + "main-dlq"), "lifeguard.queue", "lifeguard.dead-letter-queue");
    }

    private static IntakeQueues.Named named(Map<String, String> more) {
        return new IntakeQueues.Named(more, "lifeguard.more-queues", "lifeguard.more-queues");
    }

    private static Map<String, String> with(String moreQueues) {
        return Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d", "lifeguard.table", "events",
                "lifeguard.more-queues", moreQueues);
    }
}
