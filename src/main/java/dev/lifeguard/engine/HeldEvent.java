package dev.lifeguard.engine;

import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.store.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One event this replica has claimed and not yet let go of: its message, its claim, its steps' progress. */
final class HeldEvent {
    final LifecycleEvent event;
    final Inbound inbound;
    volatile int attempt;
    volatile Map<String, StepRecord> earlier = Map.of();
    volatile Instant renewDue;
    /**
     * Until when this replica's claim surely holds: its last successful write to the claim plus
     * the lease. Past it another replica may have taken the event over, so no step starts and the
     * hook is not completed here until a renewal shows the claim is still ours.
     */
    volatile Instant leaseUntil = Instant.MAX;
    /** The claim was found taken over: whatever is still running here ends without effect. */
    volatile boolean lost;
    /** Set once the lapse of the lease is logged, so that waiting for a renewal logs one line. */
    volatile boolean lapseLogged;
    /** Confirmations with Auto Scaling that could not be asked (throttled, unreachable): paces the next. */
    volatile int confirmTries;

    volatile List<StepSpec> specs = List.of();
    volatile InstanceFacts facts;
    /** EC2's answer about the instance, asked as soon as the event was accepted; null when not needed. */
    volatile java.util.concurrent.CompletableFuture<java.util.Optional<InstanceFacts>> described;
    volatile int limit;
    volatile boolean useFacts;
    volatile Runnable startWhenFree;
    /** True while the event holds one of its group's max-in-flight slots. */
    volatile boolean inSlot;
    private StepResult[] results = new StepResult[0];
    private final AtomicInteger remaining = new AtomicInteger();
    final AtomicInteger blockingRunning = new AtomicInteger();
    final List<Future<?>> futures = new ArrayList<>();
    /** Receipts of other copies of this event that arrived here meanwhile: they end with it. */
    final List<String> copies = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set once: the event has a verdict, or was lost or handed back; nothing else may end it. */
    final AtomicBoolean ended = new AtomicBoolean();
    volatile boolean finishing;
    /** How often finishing was tried (the outcome could not be written, say): paces the next try. */
    volatile int finishTries;

    HeldEvent(LifecycleEvent event, Inbound inbound) {
        this.event = event;
        this.inbound = inbound;
    }

    /** A write to the claim succeeded: it holds until {@code until}. */
    void leaseRenewed(Instant until) {
        leaseUntil = until;
        lapseLogged = false;
    }

    String key() {
        return event.idempotencyKey();
    }

    synchronized void expect(List<StepSpec> specs) {
        this.specs = List.copyOf(specs);
        this.results = new StepResult[specs.size()];
        this.remaining.set(specs.size());
    }

    /**
     * Records step {@code index}'s result: -1 when it had ended already (a timeout raced its
     * result), 1 when it was the last step outstanding, else 0.
     */
    synchronized int stepEnded(int index, StepResult result) {
        if (results[index] != null) {
            return -1;
        }
        results[index] = result;
        return remaining.decrementAndGet() == 0 ? 1 : 0;
    }

    synchronized boolean hasEnded(int index) {
        return results[index] != null;
    }

    synchronized List<StepResult> results() {
        return Arrays.asList(results.clone());
    }

    synchronized void track(Future<?> future) {
        futures.add(future);
    }

    synchronized void cancelRunning() {
        futures.forEach(f -> f.cancel(true));
    }
}
