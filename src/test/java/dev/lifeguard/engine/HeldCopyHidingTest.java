package dev.lifeguard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How long a message that meets another worker's live claim stays hidden: the takeover of a dead
 * replica's event waits for its lease and no more, and a copy of a long-running event is not
 * received so often that SQS dead-letters it.
 */
class HeldCopyHidingTest {
    private static final Duration LEASE = Duration.ofSeconds(300);

    @Test
    void aDeadHoldersOwnMessageComingBackIsHiddenOnlyUntilItsLeaseCanEnd() {
        // Received once by the holder, which died: the second receive meets its lease, 200 s to go.
        assertEquals(Duration.ofSeconds(201), ClaimDesk.hideHeldCopy(LEASE, Duration.ofSeconds(200), 2));
        // The lease of a worker that died just after renewing.
        assertEquals(Duration.ofSeconds(301), ClaimDesk.hideHeldCopy(LEASE, LEASE, 2));
    }

    @Test
    void aCopyOfAnEventThatRunsLongIsHiddenLongerEachTimeItComesBack() {
        List<Long> hidden = IntStream.rangeClosed(1, 6)
                .mapToObj(receive -> ClaimDesk.hideHeldCopy(LEASE, Duration.ofSeconds(250), receive).toSeconds()).toList();
        assertEquals(List.of(251L, 251L, 600L, 1200L, 2400L, 4800L), hidden);
    }

    @Test
    void noMessageIsHiddenPastWhatSqsAllows() {
        assertEquals(Duration.ofHours(11), ClaimDesk.hideHeldCopy(LEASE, Duration.ofSeconds(250), 30));
    }
}
