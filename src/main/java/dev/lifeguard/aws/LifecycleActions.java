package dev.lifeguard.aws;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;

/** Auto Scaling's lifecycle-action calls: {@code CompleteLifecycleAction}, heartbeats, and each hook's timeout. */
public class LifecycleActions {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleActions.class);

    private final PerAccount<AutoScalingClient> autoScaling;

    /** Every call goes to the hook's own account and region. */
    public LifecycleActions(PerAccount<AutoScalingClient> autoScaling) {
        this.autoScaling = autoScaling;
    }

    public LifecycleActions(AutoScalingClient autoScaling) {
        this(PerAccount.only(autoScaling));
    }

    /**
     * @param result CONTINUE or ABANDON
     * @return what happened, for the outcome record: {@code result}, or NOT_ACTIVE when Auto Scaling
     *         had ended the action already
     */
    public HookResult complete(LifecycleEvent event, HookResult result) {
        if (!event.isHook()) {
            throw new IllegalArgumentException("only lifecycle hooks can be completed, not " + event.kind());
        }
        try {
            autoScaling.in(event.where()).completeLifecycleAction(r -> r
                    .autoScalingGroupName(event.groupName())
                    .lifecycleHookName(event.hookName())
                    .lifecycleActionToken(event.actionToken())
                    .instanceId(event.instanceId())
                    .lifecycleActionResult(result.name()));
            LOG.debug("Completed lifecycle action {} with {}", event.describe(), result);
            return result;
        } catch (AutoScalingException e) {
            // A redelivered hook whose first attempt completed but crashed before recording its
            // outcome gets this answer; so does a hook that timed out. Neither can be completed
            // again, and retrying would only loop.
            if (isNotActive(e)) {
                LOG.warn("Lifecycle action {} is no longer active (already completed or timed out): {}",
                        event.describe(), e.awsErrorDetails().errorMessage());
                return HookResult.NOT_ACTIVE;
            }
            throw e;
        }
    }

    /**
     * Resets the hook's heartbeat timeout while long steps run.
     *
     * @return false when the action is no longer active (completed elsewhere, or timed out): stop beating
     */
    public boolean recordHeartbeat(LifecycleEvent event) {
        try {
            recordHeartbeatOrThrow(event);
            LOG.debug("Recorded a heartbeat for {}", event.describe());
            return true;
        } catch (AutoScalingException e) {
            if (isNotActive(e)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The heartbeat that confirms a hook before its first step: Auto Scaling accepts it only for a
     * live action with this token, group, hook and instance, and it starts the hook's heartbeat
     * clock afresh.
     *
     * @return empty when accepted, else Auto Scaling's reason for refusing it (a ValidationError:
     *         no such action, hook or group); throttling, 5xx and unreachable Auto Scaling throw
     */
    public Optional<String> confirmWithHeartbeat(LifecycleEvent event) {
        try {
            recordHeartbeatOrThrow(event);
            return Optional.empty();
        } catch (AutoScalingException e) {
            if (e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode())) {
                return Optional.of(String.valueOf(e.awsErrorDetails().errorMessage()));
            }
            throw e;
        }
    }

    private void recordHeartbeatOrThrow(LifecycleEvent event) {
        autoScaling.in(event.where()).recordLifecycleActionHeartbeat(r -> r
                .autoScalingGroupName(event.groupName())
                .lifecycleHookName(event.hookName())
                .lifecycleActionToken(event.actionToken())
                .instanceId(event.instanceId()));
    }

    /**
     * The hook's own heartbeat timeout and global timeout, from DescribeLifecycleHooks; empty when
     * Auto Scaling does not say. A global timeout it leaves out is AWS's documented rule: the
     * smaller of 100 heartbeat timeouts and 48 hours.
     */
    public Optional<HookTimeouts> timeouts(LifecycleEvent event) {
        String hook = event.hookName();
        return autoScaling.in(event.where()).describeLifecycleHooks(r -> r.autoScalingGroupName(event.groupName()).lifecycleHookNames(hook))
                .lifecycleHooks().stream()
                .filter(h -> hook.equals(h.lifecycleHookName()) && h.heartbeatTimeout() != null)
                .map(h -> HookTimeouts.of(Duration.ofSeconds(h.heartbeatTimeout()),
                        h.globalTimeout() == null ? null : Duration.ofSeconds(h.globalTimeout())))
                .findFirst();
    }

    private static boolean isNotActive(AutoScalingException e) {
        return e.awsErrorDetails() != null && "ValidationError".equals(e.awsErrorDetails().errorCode())
                && e.awsErrorDetails().errorMessage() != null
                && e.awsErrorDetails().errorMessage().startsWith("No active Lifecycle Action found");
    }
}
