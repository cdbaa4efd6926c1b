package dev.lifeguard.notify;

import dev.lifeguard.profiles.NotifySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A token bucket per notification target: up to {@code perMinute} at once, refilled evenly over
 * a minute. What does not fit is dropped and counted, and the count is logged at most once a
 * minute per target, so a burst of a thousand terminations writes one line, not a thousand.
 */
final class RateLimits {
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final Clock clock;
    private final Logger log;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimits(Clock clock, Logger log) {
        this.clock = clock;
        this.log = log;
    }

    /** Whether a notification to {@code spec}'s target may go now; false when it is dropped. */
    boolean take(NotifySpec spec) {
        Bucket bucket = buckets.computeIfAbsent(spec.limitKey(), key -> new Bucket(spec.perMinute(), clock.instant()));
        return bucket.take(spec, clock.instant());
    }

    private final class Bucket {
        private double tokens;
        private Instant refilled;
        private final Quiet drops = new Quiet();

        Bucket(int perMinute, Instant now) {
            this.tokens = perMinute;
            this.refilled = now;
        }

        synchronized boolean take(NotifySpec spec, Instant now) {
            int capacity = spec.perMinute();
            long elapsed = Math.max(0, Duration.between(refilled, now).toMillis());
            tokens = Math.min(capacity, tokens + elapsed * capacity / 60_000.0);
            refilled = now;
            if (tokens >= 1) {
                tokens -= 1;
                drops.flush(now, count -> log.warn("Dropped {} notification(s) to {} in the last minute: more than {} a minute",
                        count, spec.label(), capacity));
                return true;
            }
            drops.add(now, count -> log.warn("Dropped {} notification(s) to {} in the last minute: more than {} a minute",
                    count, spec.label(), capacity));
            return false;
        }
    }

    /** Counts something and reports the count at most once a minute. */
    static final class Quiet {
        private long count;
        private Instant lastReport = Instant.MIN;

        interface Report {
            void count(long count);
        }

        /** Counts one; reports the count when the last report is a minute old. */
        synchronized void add(Instant now, Report report) {
            count++;
            flush(now, report);
        }

        /** Reports what was counted, if anything, when the last report is a minute old. */
        synchronized void flush(Instant now, Report report) {
            if (count > 0 && !lastReport.plus(MINUTE).isAfter(now)) {
                report.count(count);
                count = 0;
                lastReport = now;
            }
        }
    }
}
