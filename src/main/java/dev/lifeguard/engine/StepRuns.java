package dev.lifeguard.engine;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.CommandWaits;
import dev.lifeguard.store.StepRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps of held events. A step that runs a program or an API call holds a step thread
 * until it ends or its time is up. A {@link WaitingStep} holds none while it waits: its command is
 * sent, its handle recorded on the claim, and it is parked; the scheduler looks at parked steps
 * when due. Every step that ends is recorded on the claim, so a worker taking over skips it, and
 * a step found ended (or waiting) by an earlier attempt is not run (or sent) again.
 */
final class StepRuns {
    private static final Logger LOG = LoggerFactory.getLogger(StepRuns.class);

    /** What the engine hears from here. */
    interface Events {
        /** Every step of the event has ended. */
        void ended(HeldEvent h, StepsReport report);

        /** The event's claim was taken over by another worker. */
        void lost(HeldEvent h);
    }

    private final Map<String, Step> steps;
    private final Claims claims;
    private final ExecutorService stepThreads;
    private final java.util.concurrent.Executor work;
    private final ScheduledExecutorService scheduler;
    private final boolean dryRun;
    private final Clock clock;
    private final Events events;
    private final ParkedWaits.StatusEvents statusEvents;
    private final ParkedWaits parked;

    private final LifeguardMetrics metrics;

    StepRuns(Map<String, Step> steps, Claims claims, ExecutorService stepThreads, java.util.concurrent.Executor work,
             ScheduledExecutorService scheduler, boolean dryRun, Clock clock, Events events, LifeguardMetrics metrics,
             ParkedWaits.StatusEvents statusEvents) {
        this.metrics = metrics;
        this.statusEvents = statusEvents;
        this.parked = new ParkedWaits(clock, work, statusEvents, (h, index, result) -> stepEnded(h, index, result, true));
        this.steps = Map.copyOf(steps);
        this.claims = claims;
        this.stepThreads = stepThreads;
        this.work = work;
        this.scheduler = scheduler;
        this.dryRun = dryRun;
        this.clock = clock;
        this.events = events;
    }

    /** Starts every step of the event, side by side. */
    void start(HeldEvent h) {
        for (int i = 0; i < h.specs().size(); i++) {
            startStep(h, i);
        }
    }

    /** Forgets the parked steps of an event that was let go. */
    void forget(HeldEvent h) {
        parked.forget(h);
    }

    /** A status event says the command {@code handle} on {@code instanceId} may have ended; see {@link ParkedWaits#lookNow}. */
    boolean lookNow(String handle, String instanceId) {
        return parked.lookNow(handle, instanceId);
    }

    /** Another replica heard that these steps of the event may have ended. */
    void lookNow(HeldEvent h, Set<String> stepNames) {
        parked.lookNow(h, stepNames);
    }

    /** Looks at the parked steps that are due; called every second. */
    void checkParked() {
        parked.checkDue();
    }

    int parkedCount() {
        return parked.count();
    }

    /** The steps parked now, for the ledger. */
    Iterable<Parked> parked() {
        return parked.all();
    }

    private void startStep(HeldEvent h, int index) {
        StepSpec spec = h.specs().get(index);
        StepRecord earlier = h.earlier.get(spec.name());
        if (earlier != null && earlier.ended()) {
            stepEnded(h, index, new StepResult(spec.name(), spec.type(), earlier.status(), 0,
                    "(an earlier attempt) " + (earlier.detail() == null ? "" : earlier.detail()), false), false);
            return;
        }
        Step step = steps.get(spec.type());
        StepRequest request = new StepRequest(h.event, h.facts, spec.config(), dryRun, Heartbeat.NONE);
        if (step instanceof WaitingStep waiting && !dryRun && waiting.waits(request)) {
            if (earlier != null && StepRecord.WAITING.equals(earlier.status()) && earlier.handle() != null) {
                LOG.info("Resuming the wait of step {} for {} on {}", spec.name(), h.event.describe(), earlier.handle());
                parked.park(h, index, waiting, request, earlier.handle(), earlier.startedAt());
                return;
            }
            h.track(stepThreads.submit(EventContext.wrap(h.event, spec.name(), () -> sendAndPark(h, index, waiting, request))));
            return;
        }
        h.blockingRunning.incrementAndGet();
        Future<?> running = stepThreads.submit(EventContext.wrap(h.event, spec.name(), () -> runBlocking(h, index, step, request)));
        h.track(running);
        // A step's timeout also bounds its own waits; a tenth more (at most 15 s) lets it report first.
        long grace = Math.min(Duration.ofSeconds(15).toMillis(), spec.timeout().toMillis() / 10);
        scheduler.schedule(EventContext.wrap(h.event, spec.name(), () -> {
            if (!h.hasEnded(index)) {
                running.cancel(true);
                stepEnded(h, index, StepResult.failed(spec.name(), spec.type(), spec.timeout().toMillis(),
                        "timed out after " + spec.timeout().toSeconds() + " s", false), true);
            }
        }), spec.timeout().toMillis() + grace, TimeUnit.MILLISECONDS);
    }

    private void runBlocking(HeldEvent h, int index, Step step, StepRequest request) {
        StepSpec spec = h.specs().get(index);
        h.stepStarted(index, clock.millis());
        long start = System.nanoTime();
        try {
            StepOutcome outcome = step.run(request);
            stepEnded(h, index, StepResult.of(spec.name(), spec.type(), outcome, millisSince(start)), true);
        } catch (Exception e) {
            stepEnded(h, index, StepResult.failed(spec.name(), spec.type(), millisSince(start),
                    StepFailures.describe(e), StepFailures.isPermanent(e)), true);
        } finally {
            h.blockingRunning.decrementAndGet();
        }
    }

    private void sendAndPark(HeldEvent h, int index, WaitingStep step, StepRequest request) {
        StepSpec spec = h.specs().get(index);
        long startedAt = clock.millis();
        h.stepStarted(index, startedAt);
        String handle;
        try {
            handle = step.start(request);
        } catch (Exception e) {
            stepEnded(h, index, StepResult.failed(spec.name(), spec.type(), clock.millis() - startedAt,
                    StepFailures.describe(e), StepFailures.isPermanent(e)), true);
            return;
        }
        // The handle is on record before the first look: a worker taking over resumes this wait.
        try {
            Instant until = clock.instant().plus(claims.lease());
            if (!claims.recordStep(h.key(), spec.name(), new StepRecord(StepRecord.WAITING, null, handle, startedAt))) {
                events.lost(h);
                return;
            }
            h.lease.renewed(until);
        } catch (RuntimeException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not record the handle {} of step {} for {}: {}", handle, spec.name(),
                    h.event.describe(), StepFailures.describe(e));
        }
        String instance = parked.park(h, index, step, request, handle, startedAt);
        if (instance != null) {
            // A status event that reaches another replica finds this claim from the command.
            try {
                statusEvents.waits().save(handle, instance, new CommandWaits.Wait(h.key(), spec.name()));
            } catch (RuntimeException e) {
                Outages.warnUnlessOutage(LOG, e, "Could not record which claim waits on command {} ({}); a status event"
                        + " reaching another replica is then ignored, and the wait ends at its next look", handle, StepFailures.describe(e));
            }
        }
    }

    private void stepEnded(HeldEvent h, int index, StepResult result, boolean record) {
        if (h.ended()) {
            return;
        }
        int ended = h.stepEnded(index, result);
        if (ended < 0) {
            return;
        }
        if (record) {
            // Run here, in this attempt (a step that ended in an earlier attempt is not counted again).
            metrics.stepEnded(result.type(), result.status(), Duration.ofMillis(result.durationMillis()));
        }
        if (record && !result.failed()) {
            try {
                Instant until = clock.instant().plus(claims.lease());
                if (!claims.recordStep(h.key(), result.name(), new StepRecord(result.status(), result.detail(), null,
                        clock.millis() - result.durationMillis()))) {
                    events.lost(h);
                    return;
                }
                h.lease.renewed(until);
            } catch (RuntimeException e) {
                Outages.warnUnlessOutage(LOG, e, "Could not record step {} of {}: {}", result.name(), h.event.describe(),
                        StepFailures.describe(e));
            }
        }
        if (ended > 0) {
            events.ended(h, StepsReport.of(h.event.kind().route(), h.results()));
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
