package dev.lifeguard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when a test moves it: leases, reload checks and timeouts without waiting. */
public final class MovingClock extends Clock {
    public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private Instant now;

    public MovingClock() {
        this(START);
    }

    /** A clock from {@code start}: from the real time, for items in a table with TTL on, which DynamoDB Local deletes once expired. */
    public MovingClock(Instant start) {
        this.now = start;
    }

    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
