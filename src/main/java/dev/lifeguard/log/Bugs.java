package dev.lifeguard.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a bug (a failure no outage or bad input explains) with its stack trace at most once a
 * minute per distinct cause, the exception's class and where it was thrown; in between, one line.
 * A bug hit by every message must not bury the log.
 */
public final class Bugs {
    private static final Duration EVERY = Duration.ofMinutes(1);

    private final Clock clock;
    private final Map<String, Instant> lastTrace = new ConcurrentHashMap<>();

    public Bugs(Clock clock) {
        this.clock = clock;
    }

    /** @return true when the stack trace was written this time */
    public boolean report(Logger log, String message, Throwable bug) {
        StackTraceElement[] where = bug.getStackTrace();
        String cause = bug.getClass().getName() + "@" + (where.length > 0 ? where[0] : "?");
        Instant now = clock.instant();
        Instant last = lastTrace.get(cause);
        if (last == null || !now.isBefore(last.plus(EVERY))) {
            lastTrace.put(cause, now);
            log.error(message, bug);
            return true;
        }
        log.error("{}: {} (its stack trace was logged less than a minute ago)", message, bug.toString());
        return false;
    }
}
