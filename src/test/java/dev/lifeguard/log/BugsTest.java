package dev.lifeguard.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.MovingClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bug's stack trace at most once a minute per cause; another cause gets its own. */
class BugsTest {
    private static final Logger LOG = LoggerFactory.getLogger(BugsTest.class);

    @Test
    void aStackTraceOncePerCausePerMinute() {
        MovingClock clock = new MovingClock();
        Bugs bugs = new Bugs(clock);
        assertTrue(bugs.report(LOG, "first", bug("a")));
        assertFalse(bugs.report(LOG, "same cause again", bug("a")), "within the minute: one line, no trace");
        assertTrue(bugs.report(LOG, "another cause", new IllegalArgumentException("b")));
        clock.advance(Duration.ofSeconds(61));
        assertTrue(bugs.report(LOG, "a minute later", bug("a")));
    }

    private static IllegalStateException bug(String message) {
        return new IllegalStateException(message); // thrown from the same line each time: the same cause
    }
}
