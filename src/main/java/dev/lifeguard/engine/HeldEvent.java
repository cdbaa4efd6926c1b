package dev.lifeguard.engine;

import dev.lifeguard.aws.Receipt;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One event this replica has claimed and not yet let go of: its message, its claim, its plan and
 * its steps' progress. Its life is one {@link Stage}, moved only by {@link #move}; what else
 * changes is written once when the event is started ({@link #plan}), by the lease keeper
 * ({@link LeaseState}), or by its steps as they end.
 */
final class HeldEvent {
    final LifecycleEvent event;
    final Inbound inbound;
    /** Its idempotency key, hashed once: every pool asks for it. */
    private final String key;
    /** Claims so far, this one included (0 until the claim is written); what earlier attempts recorded of their steps. */
    volatile int attempt;
    volatile Map<String, StepRecord> earlier = Map.of();
    final LeaseState lease = new LeaseState(Instant.MAX, null);
    private final AtomicReference<Stage> stage = new AtomicReference<>(Stage.CLAIMED);

    /** What the group's profile asks for this event's kind; set once, when its route starts it. */
    record Plan(List<StepSpec> specs, boolean useFacts, int limit) {
        static final Plan NONE = new Plan(List.of(), false, 0);
    }

    volatile Plan plan = Plan.NONE;
    volatile InstanceFacts facts;
    /** EC2's answer about the instance, asked as soon as the event was accepted; null when not needed. */
    volatile CompletableFuture<Optional<InstanceFacts>> described;
    /** What starts its steps once its group has a free slot; given to {@link GroupLimits}. */
    volatile Runnable startWhenFree;
    /** Confirmations that could not be asked (throttled, unreachable), and finishes that failed: pace the next try. */
    final AtomicInteger confirmTries = new AtomicInteger();
    final AtomicInteger finishTries = new AtomicInteger();

    private StepResult[] results = new StepResult[0];
    /** When each step started running here (epoch millis, 0 before), for the ledger. */
    private long[] startedAt = new long[0];
    private int remaining;
    final AtomicInteger blockingRunning = new AtomicInteger();
    private final List<Future<?>> futures = new ArrayList<>();
    /** Receipts of other copies of this event that arrived here meanwhile: they end with it. */
    final List<Receipt> copies = new CopyOnWriteArrayList<>();

    HeldEvent(LifecycleEvent event, Inbound inbound) {
        this.event = event;
        this.inbound = inbound;
        this.key = event.idempotencyKey();
    }

    /** The claim is written: which attempt this is, what earlier ones recorded, and until when it holds. */
    void claimed(int attempt, Map<String, StepRecord> earlier, Instant leaseUntil, Instant renewDue) {
        this.attempt = attempt;
        this.earlier = Map.copyOf(earlier);
        lease.renewDue = renewDue;
        lease.renewed(leaseUntil);
    }

    String key() {
        return key;
    }

    Stage stage() {
        return stage.get();
    }

    /**
     * Moves from {@code from} to {@code to}; false when the event is no longer at {@code from}
     * (another pool moved it first).
     */
    boolean move(Stage from, Stage to) {
        if (!from.mayMoveTo(to)) {
            throw new IllegalStateException("an event cannot move from " + from + " to " + to);
        }
        return stage.compareAndSet(from, to);
    }

    /**
     * Ends the event's life before its verdict: moves it from whatever live stage it is in to
     * {@code to} (FINISHING, LOST or HANDED_BACK). Returns the stage it left, or null when it was
     * no longer live.
     */
    Stage end(Stage to) {
        while (true) {
            Stage now = stage.get();
            if (!now.live()) {
                return null;
            }
            if (move(now, to)) {
                return now;
            }
        }
    }

    /** Whether nothing may start or run for it any more. */
    boolean ended() {
        return !stage().live();
    }

    /** Sets what its profile asks for, once, before anything runs. */
    synchronized void plan(Plan plan) {
        this.plan = plan;
        this.results = new StepResult[plan.specs().size()];
        this.startedAt = new long[plan.specs().size()];
        this.remaining = plan.specs().size();
    }

    /**
     * A hook without steps is completed at once, and its completion checks its token (see {@link
     * HookConfirmation}); any other hook's token is checked by its confirming heartbeat.
     */
    boolean completionChecksToken() {
        return event.isHook() && plan.specs().isEmpty();
    }

    List<StepSpec> specs() {
        return plan.specs();
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
        return --remaining == 0 ? 1 : 0;
    }

    synchronized void stepStarted(int index, long millis) {
        startedAt[index] = millis;
    }

    /** Epoch millis step {@code index} started at, or 0 when it has not started or has ended. */
    synchronized long runningSince(int index) {
        return results[index] == null ? startedAt[index] : 0;
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

    /**
     * Until when this replica's claim surely holds, and when to renew it: moved on by every
     * successful write to the claim. Past {@code until} another replica may have taken the event
     * over, so no step starts and the hook is not completed here until a renewal shows the claim
     * is still ours.
     */
    static final class LeaseState {
        volatile Instant until;
        volatile Instant renewDue;
        /** Set once the lapse is logged, so that waiting for a renewal logs one line. */
        volatile boolean lapseLogged;

        LeaseState(Instant until, Instant renewDue) {
            this.until = until;
            this.renewDue = renewDue;
        }

        /** A write to the claim succeeded: it holds until {@code until}. */
        void renewed(Instant until) {
            this.until = until;
            this.lapseLogged = false;
        }
    }
}
