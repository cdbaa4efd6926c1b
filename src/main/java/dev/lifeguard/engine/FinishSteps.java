package dev.lifeguard.engine;

import dev.lifeguard.aws.LifecycleActions;
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

    /** {@code CompleteLifecycleAction} with the verdict's result. */
    public void complete(Finishing finishing) {
        Verdict verdict = finishing.getVerdict();
        finishing.completed(lifecycleActions.complete(verdict.event(), verdict.hookResult()));
        metrics.hookCompleted(finishing.getCompleted(), verdict.event().groupName());
    }

    /** The outcome and the claim's next status, in one conditional write. */
    public void record(Finishing finishing) {
        Verdict verdict = finishing.getVerdict();
        finishing.recorded(outcomes.finish(verdict.event(), verdict.result(), verdict.report(), finishing.getCompleted(),
                verdict.error(), verdict.claimed()));
        metrics.eventEnded(verdict.event().kind(), verdict.result(), verdict.event().groupName());
    }
}
