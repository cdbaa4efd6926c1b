package dev.lifeguard.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What this replica holds, as it is now: taken on request from the engine's own state, so that
 * keeping it costs the engine nothing per event but the ended events' ring. Values only: the
 * {@code observe} package turns it into {@code GET /observe/status} and Camel's console.
 */
public final class Ledger {
    private Ledger() {
    }

    /** An event's place in its life here, as operators read it. */
    public enum State {
        CLAIMED, CONFIRMING, WAITING_FOR_SLOT, RUNNING_STEP, PARKED, FINISHING
    }

    /** Everything held, at {@code at}. */
    public record Snapshot(Instant at, List<InFlight> inFlight, List<GroupSlots> groups, List<Ended> recent) {
    }

    /**
     * One event in flight. {@code step}, {@code parked} and {@code heartbeats} are null when they do
     * not apply; the timeouts are null for an event that is not a hook, or while Auto Scaling's
     * answer about the hook is not known here.
     */
    public record InFlight(String key, String kind, String group, String instance, String hook, String account,
                           String region, int attempt, State state,
                           Step step, ParkedOn parked, Heartbeats heartbeats, Duration heartbeatTimeout,
                           Duration heartbeatLeft, Duration globalLeft) {
    }

    /** The step it is on, and for how long it has run. */
    public record Step(String name, String type, Duration running) {
    }

    /** The handle a parked step waits on (an SSM command id), and when it is next looked at. */
    public record ParkedOn(String handle, Instant nextLookAt) {
    }

    /** Heartbeats sent for the hook (its confirmation first), and the last one's time and result ("OK" or "FAILED: why"). */
    public record Heartbeats(int sent, Instant lastAt, String lastResult) {
    }

    /** A group's events running their steps, its max-in-flight (null: no limit), and events waiting for a slot. */
    public record GroupSlots(String group, int inFlight, Integer maxInFlight, int waiting) {
    }

    /** An event finished here: its outcome, what its hook was completed with (or null), and why it failed (or null). */
    public record Ended(String key, String kind, String group, String instance, String hook, String account,
                        String region, String outcome,
                        String result, String reason, Instant endedAt) {
    }
}
