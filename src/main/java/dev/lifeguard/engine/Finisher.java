package dev.lifeguard.engine;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.steps.StepsReport;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends held events: works out the verdict of an attempt, hands it to {@code direct:finish} (the
 * one route that completes hooks, records outcomes and lets go of messages), tries again while
 * DynamoDB or Auto Scaling does not answer, and decides what becomes of the copies that arrived
 * meanwhile.
 */
final class Finisher {
    private static final Logger LOG = LoggerFactory.getLogger(Finisher.class);
    /** An event's one INFO line keeps the logger operators filter on, whichever part writes it. */
    private static final Logger VERDICTS = LoggerFactory.getLogger(EventEngine.class);

    /** What the finisher works with, built by the engine. */
    record Parts(HeldEvents held, ClaimDesk desk, LeaseKeeper leases, Heartbeats heartbeats, SqsMessages messages,
                 Duration lease, FailurePolicy failurePolicy, UrgentFirst work, ScheduledExecutorService scheduler,
                 ProducerTemplate producer, LifeguardMetrics metrics, BooleanSupplier accepting, RecentEnds recent,
                 RetentionWatch retention) {
    }

    private final Parts parts;
    /** routes/finish.camel.yaml's endpoint, looked up once. */
    private volatile Endpoint finish;

    Finisher(Parts parts) {
        this.parts = parts;
    }

    /** The attempt has ended (its steps did, or it was refused): its verdict goes to direct:finish, once. */
    void conclude(HeldEvent h, StepsReport report) {
        Stage left = h.end(Stage.FINISHING);
        if (left == null) {
            return;
        }
        parts.held().leaveSlot(h, left);
        // When the completion is the token's check, Auto Scaling refusing it refuses the event, as a
        // refused heartbeat would: REFUSED, or ALREADY_ENDED on a later attempt.
        Finishing finishing = new Finishing(verdict(h, report), !h.completionChecksToken() ? null
                : reason -> verdict(h, StepsReport.refused(h.event.kind().route(), reason)));
        parts.work().execute(EventContext.wrap(h.event, () -> finish(h, finishing)));
    }

    /**
     * A hook refused on a later attempt was real once (an earlier attempt confirmed it): another
     * replica completed it, or it timed out. A refused attempt does not count, so a forged copy
     * refused before never makes the real hook's first attempt look like a later one.
     */
    static boolean endedMeanwhile(HeldEvent h) {
        return h.event.isHook() && h.attempt > 1;
    }

    private Verdict verdict(HeldEvent h, StepsReport report) {
        LifecycleEvent event = h.event;
        if (report.refused()) {
            if (endedMeanwhile(h)) {
                return new Verdict(event, h.inbound, Outcome.ALREADY_ENDED, report, null,
                        "already ended: " + report.refusedReason(), true);
            }
            return new Verdict(event, h.inbound, Outcome.REFUSED, report, null, "refused: " + report.refusedReason(), true);
        }
        if (!report.failed()) {
            return new Verdict(event, h.inbound, Outcome.SUCCEEDED, report, event.isHook() ? HookResult.CONTINUE : null, null, true);
        }
        FailurePolicy policy = parts.failurePolicy();
        boolean permanent = report.results().stream().anyMatch(r -> r.failed() && r.permanent());
        String error = "steps failed: " + report.summary();
        if (policy.givesUp(h.attempt, permanent)) {
            String why = permanent ? "a permanent failure" : "attempt " + h.attempt + " of " + policy.maxAttempts();
            return new Verdict(event, h.inbound, Outcome.GAVE_UP, report, policy.hookResult(event), error + " (" + why + ")", true);
        }
        return new Verdict(event, h.inbound, Outcome.RETRYING, report, null, error, true);
    }

    private void finish(HeldEvent h, Finishing finishing) {
        HeldEvents held = parts.held();
        if (h.stage() == Stage.LOST) {
            LOG.warn("The claim on {} was taken over by another worker while it was finishing; leaving it to that worker"
                    + " without completing it here", h.event.describe());
            held.leave(h);
            return;
        }
        boolean completing = finishing.isCompletesHook();
        if (completing && parts.leases().lapsed(h)) {
            if (!parts.accepting().getAsBoolean()) {
                // Shutting down with a lapsed claim: the message comes back to whoever holds the event.
                held.leave(h);
                return;
            }
            parts.leases().logLapse(h, "completing its hook");
            again(h, finishing, 1);
            return;
        }
        if (completing) {
            // A heartbeat racing the completion would only be refused.
            parts.heartbeats().pause(h.key());
        }
        Exchange done = parts.producer().send(finishEndpoint(), exchange -> exchange.getMessage().setBody(finishing));
        if (done.getException() != null) {
            failed(h, finishing, completing, done.getException());
            return;
        }
        h.move(Stage.FINISHING, Stage.DONE);
        held.let(h);
        // The one INFO line of an event: what it was, how it ended, what its steps did.
        Verdict verdict = finishing.getVerdict();
        HookResult completed = finishing.getCompleted();
        parts.recent().finished(verdict, completed);
        VERDICTS.info("{}: {}{} (attempt {}) — {}", h.event.describe(), verdict.result(),
                completed == null ? "" : ", completed " + completed, h.attempt, verdict.report().summary());
        copiesShareItsFate(h, finishing);
        if (verdict.gaveUp() && completed == HookResult.ABANDON && h.event.kind() == Kind.TERMINATING && !finishing.isNotOurs()) {
            // The group's lifecycle policy may retain the instance instead of terminating it.
            parts.retention().abandoned(h.event);
        }
    }

    /**
     * DynamoDB or Auto Scaling did not answer: the event stays held (hidden, leased, heartbeated)
     * and is finished again shortly; a hook completed already is not completed twice. When
     * shutting down, it is left: the message comes back to another worker, and the recorded steps
     * are not run again.
     */
    private void failed(HeldEvent h, Finishing finishing, boolean completing, Exception error) {
        if (!parts.accepting().getAsBoolean()) {
            parts.held().leave(h);
            return;
        }
        if (finishing.getCompleted() != null) {
            // Auto Scaling has let the hook go: heartbeats would only be refused from now on.
            parts.heartbeats().release(h.key());
        } else if (completing) {
            parts.heartbeats().resume(h.key());
        }
        long delay = Math.min(30, 1L << Math.min(5, h.finishTries.getAndIncrement()));
        parts.metrics().retried("finish");
        Outages.warnUnlessOutage(LOG, error, "Could not finish {} ({}); trying again in {} s",
                h.event.describe(), StepFailures.describe(error), delay);
        again(h, finishing, delay);
    }

    private void again(HeldEvent h, Finishing finishing, long seconds) {
        parts.scheduler().schedule(() -> parts.work().execute(EventContext.wrap(h.event, () -> finish(h, finishing))),
                seconds, TimeUnit.SECONDS);
    }

    /** Copies that arrived meanwhile share the event's fate; none can attach any more. */
    private void copiesShareItsFate(HeldEvent h, Finishing finishing) {
        SqsMessages messages = parts.messages();
        Verdict verdict = finishing.getVerdict();
        if (finishing.isNotOurs()) {
            h.copies.forEach(messages::forget);
        } else if (verdict.retrying() || verdict.refused()) {
            // A refused event gave its key back: a copy that arrived meanwhile may be the real
            // event (another hook name or destination for the same action), so it comes back.
            h.copies.forEach(copy -> messages.release(copy, verdict.refused() ? Duration.ofSeconds(1) : parts.lease()));
        } else {
            parts.desk().done(h.key());
            h.copies.forEach(messages::delete);
        }
    }

    private Endpoint finishEndpoint() {
        Endpoint endpoint = finish;
        if (endpoint == null) {
            endpoint = parts.producer().getCamelContext().getEndpoint("direct:finish");
            finish = endpoint;
        }
        return endpoint;
    }
}
