package dev.lifeguard.aws;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.LifecycleEvent;
import java.util.Optional;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.Activity;

/**
 * What {@code resume} asks Auto Scaling about a retained instance, and the one call that ends it:
 * where the instance is now (DescribeAutoScalingInstances), and
 * TerminateInstanceInAutoScalingGroup with {@code ShouldDecrementDesiredCapacity=false}. A
 * retained instance no longer counts toward the group's desired capacity (Auto Scaling launched
 * its replacement when it retained it), so terminating it leaves the capacity as it is.
 */
public class RetainedInstances {
    /** The lifecycle states of a retained instance end so: {@code Terminating:Retained}, {@code Warmed:Terminating:Retained}, … */
    public static final String RETAINED = ":Retained";

    private final PerAccount<AutoScalingClient> autoScaling;

    public RetainedInstances(PerAccount<AutoScalingClient> autoScaling) {
        this.autoScaling = autoScaling;
    }

    /** Whether a lifecycle state is a retained one. */
    public static boolean isRetained(String lifecycleState) {
        return lifecycleState != null && lifecycleState.endsWith(RETAINED);
    }

    /** The event's instance as Auto Scaling sees it now; empty when it is in no group (terminated, or unknown). */
    public Optional<AutoScalingInstances.Membership> place(LifecycleEvent event) {
        return autoScaling.in(event.where())
                .describeAutoScalingInstances(r -> r.instanceIds(event.instanceId()))
                .autoScalingInstances().stream()
                .filter(i -> event.instanceId().equals(i.instanceId()))
                .map(i -> new AutoScalingInstances.Membership(i.instanceId(), i.autoScalingGroupName(), i.lifecycleState()))
                .findFirst();
    }

    /** Terminates the instance, desired capacity unchanged; returns Auto Scaling's description of the activity. */
    public String terminate(LifecycleEvent event) {
        Activity activity = autoScaling.in(event.where())
                .terminateInstanceInAutoScalingGroup(r -> r.instanceId(event.instanceId()).shouldDecrementDesiredCapacity(false))
                .activity();
        if (activity == null) {
            return "TerminateInstanceInAutoScalingGroup accepted";
        }
        return "activity " + activity.activityId() + " " + activity.statusCodeAsString()
                + (activity.description() == null ? "" : ": " + activity.description());
    }
}
