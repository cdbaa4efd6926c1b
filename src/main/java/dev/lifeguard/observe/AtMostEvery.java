package dev.lifeguard.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * A reading that costs an AWS call, taken only when asked and at most once per period however
 * many pages ask; in between, the last reading. A read that fails is not tried again before the
 * period is over either: {@code read} gets the last reading and returns the next, so it decides
 * what a failure keeps.
 */
final class AtMostEvery<T> {
    private final Duration period;
    private final Clock clock;
    private final UnaryOperator<T> read;
    private Instant tried;
    private T last;

    AtMostEvery(Duration period, Clock clock, T initial, UnaryOperator<T> read) {
        this.period = period;
        this.clock = clock;
        this.last = initial;
        this.read = read;
    }

    synchronized T get() {
        Instant now = clock.instant();
        if (tried == null || !now.isBefore(tried.plus(period))) {
            tried = now;
            last = read.apply(last);
        }
        return last;
    }
}
