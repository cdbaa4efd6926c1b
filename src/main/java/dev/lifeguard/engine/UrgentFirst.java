package dev.lifeguard.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's work threads (heartbeats, confirmations, looks at parked steps, finishes, lease
 * renewals), taking the task due soonest first rather than the one queued first. In a burst of
 * thousands of hooks the queue is long; a hook whose message has waited in SQS is confirmed (its
 * first heartbeat) before a heartbeat that is not due for seconds yet, so the last hooks claimed
 * still get their first beat within the heartbeat pace counted from when their message was sent.
 * A task without a time of its own is due now; equal times keep their order.
 */
final class UrgentFirst implements Executor {
    private final ThreadPoolExecutor pool;
    private final Clock clock;
    private final AtomicLong order = new AtomicLong();

    UrgentFirst(int threads, ThreadFactory threadFactory, Clock clock) {
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(), threadFactory);
        this.pool.prestartAllCoreThreads();
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        execute(task, clock.instant());
    }

    /** Runs {@code task} before every queued task due after {@code due}. */
    void execute(Runnable task, Instant due) {
        pool.execute(new Task(due, order.incrementAndGet(), task));
    }

    /** An executor whose tasks are all due at {@code due}, for a future's continuation. */
    Executor dueAt(Instant due) {
        return task -> execute(task, due);
    }

    void shutdown() {
        pool.shutdown();
    }

    private record Task(Instant due, long order, Runnable task) implements Runnable, Comparable<Task> {
        @Override
        public void run() {
            task.run();
        }

        @Override
        public int compareTo(Task other) {
            int byTime = due.compareTo(other.due);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
