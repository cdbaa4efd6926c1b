package dev.lifeguard.aws;

import dev.lifeguard.event.LifecycleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;

/** Ends a lifecycle hook's wait state: Auto Scaling's {@code CompleteLifecycleAction}. */
public class LifecycleActions {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleActions.class);

    private final AutoScalingClient autoScaling;

    public LifecycleActions(AutoScalingClient autoScaling) {
        this.autoScaling = autoScaling;
    }

    /**
     * @param result CONTINUE or ABANDON
     * @return what happened, for the outcome record
     */
    public String complete(LifecycleEvent event, String result) {
        if (!event.isHook()) {
            throw new IllegalArgumentException("only lifecycle hooks can be completed, not " + event.kind());
        }
        try {
            autoScaling.completeLifecycleAction(r -> r
                    .autoScalingGroupName(event.groupName())
                    .lifecycleHookName(event.hookName())
                    .lifecycleActionToken(event.actionToken())
                    .instanceId(event.instanceId())
                    .lifecycleActionResult(result));
            LOG.info("Completed lifecycle action {} with {}", event.describe(), result);
            return result;
        } catch (AutoScalingException e) {
            // A redelivered hook whose first attempt completed but crashed before recording its
            // outcome gets this answer; so does a hook that timed out. Neither can be completed
            // again, and retrying would only loop.
            if ("ValidationError".equals(e.awsErrorDetails().errorCode())
                    && e.awsErrorDetails().errorMessage() != null
                    && e.awsErrorDetails().errorMessage().startsWith("No active Lifecycle Action found")) {
                LOG.warn("Lifecycle action {} is no longer active (already completed or timed out): {}",
                        event.describe(), e.awsErrorDetails().errorMessage());
                return "NOT_ACTIVE";
            }
            throw e;
        }
    }

    /** Resets the hook's heartbeat timeout while long steps run. */
    public void recordHeartbeat(LifecycleEvent event) {
        autoScaling.recordLifecycleActionHeartbeat(r -> r
                .autoScalingGroupName(event.groupName())
                .lifecycleHookName(event.hookName())
                .lifecycleActionToken(event.actionToken())
                .instanceId(event.instanceId()));
        LOG.info("Recorded a heartbeat for {}", event.describe());
    }
}
