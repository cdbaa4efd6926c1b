package dev.lifeguard.observe;

import dev.lifeguard.store.FleetView;
import java.time.Clock;
import java.time.Duration;

/**
 * The whole fleet's events for the status page ({@code GET /observe/fleet}): the table's
 * in-flight index, read at most once every 10 s however many pages are open, since each read is
 * one Query per shard. The page asks every 10 s; a reader in between gets the last answer.
 */
public final class FleetReads {
    static final Duration FRESH_FOR = Duration.ofSeconds(10);

    private final AtMostEvery<String> reads;

    public FleetReads(FleetView view, Clock clock) {
        this.reads = new AtMostEvery<>(FRESH_FOR, clock, null, last -> view.read().json());
    }

    /** {@link FleetView.Snapshot#json()}, at most {@link #FRESH_FOR} old. */
    public String json() {
        return reads.get();
    }
}
