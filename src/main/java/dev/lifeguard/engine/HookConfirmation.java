package dev.lifeguard.engine;

import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Asks Auto Scaling whether a lifecycle hook message describes a live action before any of its
 * steps run: anyone who may publish to the queue can write a hook for a live instance, and a
 * replayed hook names an action that ended long ago. Two questions, both answered by AWS:
 * <ol>
 *   <li>is the instance in that group, in the wait state the transition puts it in
 *       (DescribeAutoScalingInstances, batched across events by {@link AutoScalingInstances});</li>
 *   <li>is the token live for that group, hook and instance: a RecordLifecycleActionHeartbeat,
 *       which Auto Scaling accepts only for a live action, and which starts the hook's heartbeat
 *       clock, so it costs nothing the hook would not have spent anyway. A hook without steps is
 *       completed at once, and Auto Scaling checks the token of a completion just as it does a
 *       heartbeat's: its completion is the check ({@link FinishSteps#complete}), one call fewer.</li>
 * </ol>
 * Throttling, 5xx and an unreachable Auto Scaling throw: they are no evidence either way.
 */
public final class HookConfirmation {
    /** Auto Scaling's wait states, by what the hook is for (see the warm pool instance lifecycle). */
    private static final String PENDING_WAIT = "Pending:Wait";
    private static final String TERMINATING_WAIT = "Terminating:Wait";
    private static final String WARMED_PENDING_WAIT = "Warmed:Pending:Wait";
    private static final String WARMED_TERMINATING_WAIT = "Warmed:Terminating:Wait";

    /** Why a hook was refused, or null when Auto Scaling confirmed it. */
    record Answer(Refusal refusal, String reason) {
        static final Answer CONFIRMED = new Answer(null, null);

        boolean confirmed() {
            return refusal == null;
        }
    }

    private final AutoScalingInstances instances;
    private final LifecycleActions actions;

    HookConfirmation(AutoScalingInstances instances, LifecycleActions actions) {
        this.instances = instances;
        this.actions = actions;
    }

    /**
     * Asks both questions without holding a thread while the look-up waits for its batch: the
     * answer is worked out, and the heartbeat sent, on {@code executor}. {@code inGroup} runs as
     * soon as the batch's answer shows the instance in a group, on the thread that received it, so
     * that what the hooks of one batch ask next (EC2's description) goes out together too.
     */
    CompletableFuture<Answer> confirm(LifecycleEvent hook, boolean heartbeat, Executor executor, Runnable inGroup) {
        return instances.lookUp(hook.where(), hook.instanceId())
                .thenApply(found -> {
                    if (found.isPresent()) {
                        inGroup.run();
                    }
                    return found;
                })
                .thenApplyAsync(found -> answer(hook, found, heartbeat), executor);
    }

    private Answer answer(LifecycleEvent hook, Optional<AutoScalingInstances.Membership> found, boolean heartbeat) {
        String instance = hook.instanceId();
        if (found.isEmpty()) {
            return new Answer(Refusal.NOT_IN_GROUP, "instance " + instance + " is in no Auto Scaling group");
        }
        AutoScalingInstances.Membership membership = found.get();
        if (!hook.groupName().equals(membership.groupName())) {
            return new Answer(Refusal.OTHER_GROUP, "instance " + instance + " is in group "
                    + Identifiers.forLog(membership.groupName()) + ", not " + Identifiers.forLog(hook.groupName()));
        }
        Set<String> waiting = waitStates(hook);
        if (!waiting.contains(membership.lifecycleState())) {
            return new Answer(Refusal.NOT_WAITING, "instance " + instance + " is " + membership.lifecycleState()
                    + " in its group, not " + String.join(" or ", waiting) + " as this hook requires");
        }
        Optional<String> refused = heartbeat ? actions.confirmWithHeartbeat(hook) : Optional.empty();
        if (refused.isPresent()) {
            return new Answer(Refusal.NOT_ACTIVE, notLive(hook, refused.get()));
        }
        return Answer.CONFIRMED;
    }

    /** Why a hook was refused when Auto Scaling turned its token down. */
    static String notLive(LifecycleEvent hook, String answer) {
        return "Auto Scaling has no live action for this token, hook " + hook.hookName() + " and instance "
                + hook.instanceId() + ": " + answer;
    }

    /** The lifecycle states an instance waits in for this hook, per Auto Scaling's warm pool lifecycle. */
    public static Set<String> waitStates(LifecycleEvent hook) {
        Kind kind = hook.kind();
        return switch (kind) {
            // Into the group: a new instance, or one leaving the warm pool.
            case LAUNCHING, FROM_WARM_POOL -> Set.of(PENDING_WAIT);
            // Launching into the warm pool, or returning to it on scale in: both pause here.
            case TO_WARM_POOL -> Set.of(WARMED_PENDING_WAIT);
            // A group instance terminating, or a warm pool instance being terminated.
            case TERMINATING -> "WarmPool".equals(hook.origin()) ? Set.of(WARMED_TERMINATING_WAIT) : Set.of(TERMINATING_WAIT);
            default -> throw new IllegalArgumentException(kind + " is not a lifecycle hook");
        };
    }
}
