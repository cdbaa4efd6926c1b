package dev.lifeguard.engine;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.log.Bugs;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From claim to running steps: a hook is confirmed with Auto Scaling ({@link HookConfirmation})
 * and starts being heartbeated, the event takes its place in its group's line for a slot, and in
 * its slot EC2 is asked what the steps need ({@link Preflight}) before {@link StepRuns} starts
 * them. Whatever AWS does not confirm is refused here, and nothing runs.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    /** What admission works with, built by the engine. */
    record Parts(Preflight preflight, HookConfirmation confirmation, Heartbeats heartbeats, HeldEvents held,
                 LeaseKeeper leases, Finisher finisher, StepRuns runs, ExecutorService stepThreads, UrgentFirst work,
                 ScheduledExecutorService scheduler, LifeguardMetrics metrics, Clock clock) {
    }

    private final Preflight preflight;
    private final HookConfirmation confirmation;
    private final Heartbeats heartbeats;
    private final HeldEvents held;
    private final LeaseKeeper leases;
    private final Finisher finisher;
    private final StepRuns runs;
    private final ExecutorService stepThreads;
    private final UrgentFirst work;
    private final ScheduledExecutorService scheduler;
    private final LifeguardMetrics metrics;
    private final Clock clock;
    private final Bugs bugs;

    Admission(Parts parts) {
        this.preflight = parts.preflight();
        this.confirmation = parts.confirmation();
        this.heartbeats = parts.heartbeats();
        this.held = parts.held();
        this.leases = parts.leases();
        this.finisher = parts.finisher();
        this.runs = parts.runs();
        this.stepThreads = parts.stepThreads();
        this.work = parts.work();
        this.scheduler = parts.scheduler();
        this.metrics = parts.metrics();
        this.clock = parts.clock();
        this.bugs = new Bugs(clock);
    }


    /**
     * Confirms a hook with Auto Scaling, then queues the event for a slot of its group. A hook
     * Auto Scaling could not be asked about (throttled, unreachable) is asked again with backoff,
     * held meanwhile: that is no evidence, so never a refusal.
     */
    void proceed(HeldEvent h) {
        if (!h.event.isHook()) {
            queue(h, Stage.CLAIMED);
            return;
        }
        if (!h.move(Stage.CLAIMED, Stage.CONFIRMING) && h.stage() != Stage.CONFIRMING) {
            return;
        }
        Instant asked = clock.instant();
        // The confirmation is the hook's first heartbeat: it goes before every task due after its
        // message was sent, so hooks claimed late in a burst are not confirmed later still.
        Instant sent = h.inbound.sentAt() != null ? h.inbound.sentAt() : asked;
        confirmation.confirm(h.event, !h.completionChecksToken(), work.dueAt(sent), () -> describeAhead(h)).whenComplete((answer, error) ->
                EventContext.wrap(h.event, () -> {
                    try {
                        confirmed(h, answer, error, asked);
                    } catch (RuntimeException e) {
                        bugs.report(LOG, "Confirming " + h.event.describe() + " hit a bug", e);
                    }
                }).run());
    }

    private void confirmed(HeldEvent h, HookConfirmation.Answer answer, Throwable error, Instant asked) {
        if (h.stage() != Stage.CONFIRMING) {
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            long delay = Math.min(30, 1L << Math.min(5, h.confirmTries.getAndIncrement()));
            metrics.retried("confirm");
            Outages.warnUnlessOutage(LOG, cause, "Could not confirm {} with Auto Scaling ({}); asking again in {} s",
                    h.event.describe(), StepFailures.describe(cause), delay);
            scheduler.schedule(() -> work.execute(EventContext.wrap(h.event, () -> proceed(h))), delay, TimeUnit.SECONDS);
            return;
        }
        if (!answer.confirmed()) {
            refuse(h, answer.refusal(), answer.reason());
            return;
        }
        if (!h.specs().isEmpty()) {
            // Kept alive while its steps wait for a slot and run; a hook without steps ends at once.
            heartbeats.hold(h.key(), h.event, asked);
        }
        queue(h, Stage.CONFIRMING);
    }

    /** Takes the event's place in line for a slot of its group, or ends it at once when it has no steps. */
    private void queue(HeldEvent h, Stage from) {
        LifecycleEvent event = h.event;
        describeAhead(h);
        if (h.specs().isEmpty()) {
            // While the instance exists, its addresses are learnt for the group's later cleanup.
            if (h.plan.useFacts() && Preflight.learnsFacts(event.kind())) {
                try {
                    preflight.check(event, true, h.described);
                } catch (RuntimeException e) {
                    LOG.warn("Could not learn the addresses of {}: {}", event.describe(), StepFailures.describe(e));
                }
            }
            finisher.conclude(h, StepsReport.of(event.kind().route(), List.of()));
            return;
        }
        held.queue(h, from, () -> stepThreads.execute(EventContext.wrap(event, () -> begin(h))));
    }

    /**
     * Asks EC2 about the instance now, together with the events accepted beside it, rather than one
     * by one as their steps start; once per event.
     */
    private void describeAhead(HeldEvent h) {
        if (h.described == null) {
            h.described = preflight.describeAhead(h.event, h.plan.useFacts());
        }
    }

    /**
     * AWS did not confirm what the message says: nothing runs. On a later attempt (a takeover, a
     * retry) a hook Auto Scaling no longer knows has ended meanwhile.
     */
    private void refuse(HeldEvent h, Refusal refusal, String reason) {
        if (Finisher.endedMeanwhile(h)) {
            LOG.info("{} has already ended in Auto Scaling ({}); nothing runs", h.event.describe(), reason);
        } else {
            LOG.warn("Refusing {}: {}", h.event.describe(), reason);
            metrics.refused(refusal.label());
        }
        finisher.conclude(h, StepsReport.refused(h.event.kind().route(), reason));
    }

    /** In its group's slot, on a step thread: what EC2 says first, then the steps. */
    private void begin(HeldEvent h) {
        if (h.stage() != Stage.RUNNING) {
            return;
        }
        if (leases.lapsed(h)) {
            // Another replica may hold the event now: start nothing until a renewal says it is ours.
            leases.logLapse(h, "starting its steps");
            scheduler.schedule(() -> stepThreads.execute(EventContext.wrap(h.event, () -> begin(h))), 1, TimeUnit.SECONDS);
            return;
        }
        try {
            Preflight.Result pre = preflight.check(h.event, h.plan.useFacts(), h.described);
            if (pre.refusal() != null) {
                refuse(h, pre.refusal(), pre.reason());
                return;
            }
            h.facts = pre.facts();
        } catch (RuntimeException e) {
            // EC2 or the table could not be asked: the attempt fails before any step ran.
            List<StepResult> failed = h.specs().stream().map(spec -> StepResult.failed(spec.name(), spec.type(), 0,
                    "not started: asking EC2 about the instance failed: " + StepFailures.describe(e), false)).toList();
            finisher.conclude(h, StepsReport.of(h.event.kind().route(), failed));
            return;
        }
        runs.start(h);
    }
}
