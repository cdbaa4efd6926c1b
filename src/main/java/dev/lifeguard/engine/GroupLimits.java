package dev.lifeguard.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * A profile's {@code max-in-flight}: how many events of one kind run their steps at once for one
 * group in this replica, so that an instance refresh does not drain every node together. Events
 * over the limit wait their turn, still held (hidden, leased, heartbeated).
 */
final class GroupLimits {
    private final Map<String, Integer> running = new HashMap<>();
    private final Map<String, Queue<Runnable>> waiting = new HashMap<>();

    /** Runs {@code start} now when under {@code limit} (0: no limit), else when a slot frees. */
    void enter(String group, String kind, int limit, Runnable start) {
        if (limit <= 0) {
            start.run();
            return;
        }
        String key = kind + "/" + group;
        synchronized (this) {
            int now = running.getOrDefault(key, 0);
            if (now >= limit) {
                waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(start);
                return;
            }
            running.put(key, now + 1);
        }
        start.run();
    }

    /** Frees the slot an event held; the next waiting event of the same group and kind starts. */
    void leave(String group, String kind, int limit) {
        if (limit <= 0) {
            return;
        }
        String key = kind + "/" + group;
        Runnable next;
        synchronized (this) {
            Queue<Runnable> queue = waiting.get(key);
            next = queue == null ? null : queue.poll();
            if (next == null) {
                running.merge(key, -1, Integer::sum);
                running.remove(key, 0);
            }
        }
        if (next != null) {
            next.run();
        }
    }

    /** Forgets an event that waits for a slot (it was handed back or lost). */
    synchronized void forget(Runnable start) {
        waiting.values().forEach(queue -> queue.remove(start));
    }
}
