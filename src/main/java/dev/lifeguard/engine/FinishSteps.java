package dev.lifeguard.engine;

import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.store.OutcomeRecorder;

/**
 * The two steps of {@code routes/finish.camel.yaml} that change something in AWS: completing the
 * hook, and recording the outcome with the claim's next status. Each writes what it did on the
 * {@link Finishing} and counts it.
 */
public final class FinishSteps {
    private final LifecycleActions lifecycleActions;
    private final OutcomeRecorder outcomes;
    private final LifeguardMetrics metrics;

    public FinishSteps(LifecycleActions lifecycleActions, OutcomeRecorder outcomes, LifeguardMetrics metrics) {
        this.lifecycleActions = lifecycleActions;
        this.outcomes = outcomes;
        this.metrics = metrics;
    }

    /**
     * {@code CompleteLifecycleAction} with the verdict's result. For a hook no heartbeat confirmed
     * (one without steps), this is the token's check: Auto Scaling refusing it means the message
     * named no live action, and the event is refused as a refused heartbeat would have it.
     */
    public void complete(Finishing finishing) {
        Verdict verdict = finishing.getVerdict();
        HookResult completed = lifecycleActions.complete(verdict.event(), verdict.hookResult());
        if (completed == HookResult.NOT_ACTIVE && finishing.completionChecksToken()) {
            finishing.refused(HookConfirmation.notLive(verdict.event(), "its completion was refused"));
            if (finishing.getVerdict().refused()) {
                metrics.refused(Refusal.NOT_ACTIVE.label());
            }
            return;
        }
        finishing.completed(completed);
        metrics.hookCompleted(completed, verdict.event().groupName(), verdict.event().where());
    }

    /** The outcome and the claim's next status, in one conditional write. */
    public void record(Finishing finishing) {
        Verdict verdict = finishing.getVerdict();
        finishing.recorded(outcomes.finish(verdict.event(), verdict.result(), verdict.report(), finishing.getCompleted(),
                verdict.error(), verdict.claimed()));
        metrics.eventEnded(verdict.event().kind(), verdict.result(), verdict.event().groupName(), verdict.event().where());
    }
}
