package dev.lifeguard.engine;

import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.aws.SqsMessages;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The events this replica holds, by key, with their groups' slots ({@link GroupLimits}), and the
 * one way of letting an event go: out of the map, its heartbeats and parked steps forgotten.
 */
final class HeldEvents {
    private final Map<String, HeldEvent> byKey = new ConcurrentHashMap<>();
    private final GroupLimits limits = new GroupLimits();
    private final SqsMessages messages;
    private final Heartbeats heartbeats;
    private final StepRuns runs;

    HeldEvents(SqsMessages messages, Heartbeats heartbeats, StepRuns runs) {
        this.messages = messages;
        this.heartbeats = heartbeats;
        this.runs = runs;
    }

    HeldEvent get(String key) {
        return byKey.get(key);
    }

    /** Holds {@code h}, or returns the event held under its key already. */
    HeldEvent putIfAbsent(HeldEvent h) {
        return byKey.putIfAbsent(h.key(), h);
    }

    void forgetUnclaimed(HeldEvent h) {
        byKey.remove(h.key(), h);
    }

    Collection<HeldEvent> all() {
        return byKey.values();
    }

    int size() {
        return byKey.size();
    }

    /**
     * Takes the event's place in line for a slot of its group; {@code begin} runs when it has one.
     * An event that ended while in line gives the slot it was handed straight on.
     */
    void queue(HeldEvent h, Stage from, Runnable begin) {
        if (!h.move(from, Stage.QUEUED)) {
            return;
        }
        String group = slot(h.event);
        String kind = h.event.kind().profileKey();
        int limit = h.plan.limit();
        h.startWhenFree = () -> {
            if (h.move(Stage.QUEUED, Stage.RUNNING)) {
                begin.run();
            } else {
                limits.leave(group, kind, limit);
            }
        };
        limits.enter(group, kind, limit, h.startWhenFree);
    }

    /** Frees the group slot an event held in the stage it {@code left}, or its place in the line for one. */
    void leaveSlot(HeldEvent h, Stage left) {
        if (left == Stage.RUNNING) {
            limits.leave(slot(h.event), h.event.kind().profileKey(), h.plan.limit());
        } else if (left == Stage.QUEUED && h.startWhenFree != null) {
            limits.forget(h.startWhenFree);
        }
    }

    /** Lets go of the event without touching its messages: they come back when their visibility runs out. */
    void leave(HeldEvent h) {
        messages.forget(h.inbound.receipt());
        h.copies.forEach(messages::forget);
        let(h);
    }

    /** Forgets the event here: no more heartbeats, no parked steps. */
    void let(HeldEvent h) {
        byKey.remove(h.key(), h);
        heartbeats.release(h.key());
        runs.forget(h);
    }

    /** Whose slots an event takes: its group's, in its account and region (a name is unique only there). */
    private static String slot(LifecycleEvent event) {
        return event.where() + "/" + event.groupName();
    }
}
