package dev.lifeguard.engine;

import dev.lifeguard.event.HookResult;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** The last {@link #KEPT} events finished here, newest first: one small record each, appended as it finishes. */
final class RecentEnds {
    static final int KEPT = 200;

    private final Deque<Ledger.Ended> ends = new ArrayDeque<>(KEPT);
    private final Clock clock;

    RecentEnds(Clock clock) {
        this.clock = clock;
    }

    void finished(Verdict verdict, HookResult completed) {
        var event = verdict.event();
        // NOT_ACTIVE is no result Lifeguard gave: the action had ended in Auto Scaling already.
        String result = completed == null || completed == HookResult.NOT_ACTIVE ? null : completed.name();
        String reason = verdict.error() != null ? verdict.error()
                : completed == HookResult.NOT_ACTIVE ? "the lifecycle action had already ended in Auto Scaling" : null;
        Ledger.Ended ended = new Ledger.Ended(event.idempotencyKey(), event.kind().name(), event.groupName(),
                event.instanceId(), event.hookName(), event.account(), event.region(), verdict.result().name(), result, reason, clock.instant());
        synchronized (ends) {
            if (ends.size() == KEPT) {
                ends.removeLast();
            }
            ends.addFirst(ended);
        }
    }

    List<Ledger.Ended> newestFirst() {
        synchronized (ends) {
            return new ArrayList<>(ends);
        }
    }
}
