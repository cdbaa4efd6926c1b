package dev.lifeguard.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * What happened to an instance, independent of the envelope it arrived in. This enum is the one
 * vocabulary for kinds: each kind names its profile key ({@code terminating}) and its route
 * ({@code on-terminating}), derived here and nowhere else, so a route or a profile cannot spell
 * a kind differently from the code.
 */
public enum Kind {
    LAUNCHING("autoscaling:EC2_INSTANCE_LAUNCHING", "EC2 Instance-launch Lifecycle Action", true),
    TERMINATING("autoscaling:EC2_INSTANCE_TERMINATING", "EC2 Instance-terminate Lifecycle Action", true),
    LAUNCHED("autoscaling:EC2_INSTANCE_LAUNCH", "EC2 Instance Launch Successful", false),
    LAUNCH_ERROR("autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "EC2 Instance Launch Unsuccessful", false),
    TERMINATED("autoscaling:EC2_INSTANCE_TERMINATE", "EC2 Instance Terminate Successful", false),
    TERMINATE_ERROR("autoscaling:EC2_INSTANCE_TERMINATE_ERROR", "EC2 Instance Terminate Unsuccessful", false),
    CLEANUP_REQUEST("lifeguard:CLEANUP", null, false),
    TEST_NOTIFICATION("autoscaling:TEST_NOTIFICATION", null, false);

    /** Seed 000's bootstrap script sends this name; it means the same as {@code lifeguard:CLEANUP}. */
    public static final String LAMBDA_MOP_DELETE = "lambda_mop:DELETE";

    private final String eventName;
    private final String detailType;
    private final boolean hook;

    Kind(String eventName, String detailType, boolean hook) {
        this.eventName = eventName;
        this.detailType = detailType;
        this.hook = hook;
    }

    /** The {@code LifecycleTransition} or {@code Event} value Auto Scaling uses for this kind. */
    public String eventName() {
        return eventName;
    }

    /** The key under a profile's {@code steps}: {@code launching}, {@code launch-error}, … */
    public String profileKey() {
        return name().toLowerCase().replace('_', '-');
    }

    /** The id of the route that handles this kind, and its {@code direct:} endpoint: {@code on-terminating}. */
    public String route() {
        return "on-" + profileKey();
    }

    /** True for lifecycle hooks: they carry an action token and must be completed. */
    public boolean isHook() {
        return hook;
    }

    public static Optional<Kind> ofTransition(String transition) {
        return Arrays.stream(values()).filter(k -> k.hook && k.eventName.equals(transition)).findFirst();
    }

    public static Optional<Kind> ofEvent(String event) {
        if (LAMBDA_MOP_DELETE.equals(event)) {
            return Optional.of(CLEANUP_REQUEST);
        }
        return Arrays.stream(values()).filter(k -> !k.hook && k.eventName.equals(event)).findFirst();
    }

    public static Optional<Kind> ofDetailType(String detailType) {
        return Arrays.stream(values()).filter(k -> detailType.equals(k.detailType)).findFirst();
    }
}
