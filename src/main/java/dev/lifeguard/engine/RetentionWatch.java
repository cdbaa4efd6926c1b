package dev.lifeguard.engine;

import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.aws.RetainedInstances;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.store.OutcomeRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a terminating hook is given up on and completed ABANDON: whether Auto Scaling retained its
 * instance. A group whose instance lifecycle policy says {@code TerminateHookAbandon: retain} moves
 * such an instance through {@code Terminating:Proceed} to {@code Terminating:Retained} instead of
 * terminating it. Lifeguard takes the instance's state as Auto Scaling answers it
 * (DescribeAutoScalingInstances, batched with the hooks' confirmations), not the group's policy:
 * reading the policy needs DescribeAutoScalingGroups, whose answer model alone would take more of
 * the jar than it has room for, and the state is what {@code resume} must find anyway.
 *
 * <p>The looks are scheduled, never waited for on a thread: the outcome is recorded GAVE_UP at
 * once, and becomes RETAINED when a look finds the instance retained. A look that finds it gone,
 * or terminating, ends the watch.
 */
final class RetentionWatch {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionWatch.class);
    /** When to look, each after the one before: Proceed usually lasts seconds; the last look is nearly two minutes on. */
    static final List<Duration> LOOKS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(3),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private final AutoScalingInstances instances;
    private final OutcomeRecorder outcomes;
    private final ScheduledExecutorService scheduler;
    private final Executor work;

    RetentionWatch(AutoScalingInstances instances, OutcomeRecorder outcomes, ScheduledExecutorService scheduler, Executor work) {
        this.instances = instances;
        this.outcomes = outcomes;
        this.scheduler = scheduler;
        this.work = work;
    }

    /** The hook was completed ABANDON after its steps were given up on. */
    void abandoned(LifecycleEvent hook) {
        look(hook, 0);
    }

    private void look(LifecycleEvent hook, int index) {
        if (index >= LOOKS.size()) {
            LOG.info("{}: its instance was not seen retained after the abandon; recorded {}", hook.describe(), Outcome.GAVE_UP);
            return;
        }
        scheduler.schedule(() -> instances.lookUp(hook.where(), hook.instanceId()).whenCompleteAsync(
                (found, error) -> EventContext.wrap(hook, () -> answered(hook, index, found, error)).run(), work),
                LOOKS.get(index).toMillis(), TimeUnit.MILLISECONDS);
    }

    private void answered(LifecycleEvent hook, int index, Optional<AutoScalingInstances.Membership> found, Throwable error) {
        if (error != null) {
            Outages.warnUnlessOutage(LOG, error, "Could not look at {} after its abandon ({}); looking again",
                    hook.describe(), StepFailures.describe(error));
            look(hook, index + 1);
            return;
        }
        if (found.isEmpty() || !hook.groupName().equals(found.get().groupName())) {
            return;
        }
        String state = found.get().lifecycleState();
        if (RetainedInstances.isRetained(state)) {
            try {
                if (outcomes.retained(hook, state)) {
                    LOG.info("{}: {} — Auto Scaling retained the instance ({}); `resume {}` runs its remaining steps and"
                            + " terminates it", hook.describe(), Outcome.RETAINED, state, hook.instanceId());
                }
            } catch (RuntimeException e) {
                Outages.warnUnlessOutage(LOG, e, "Could not record {} as retained ({}); looking again", hook.describe(),
                        StepFailures.describe(e));
                look(hook, index + 1);
            }
        } else if (state != null && state.endsWith(":Proceed") || "Terminating:Wait".equals(state)) {
            // Still on its way (another hook may still be waiting): retained or terminated, not yet said.
            look(hook, index + 1);
        }
    }
}
