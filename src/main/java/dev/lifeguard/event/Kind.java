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
    /**
     * A hook whose {@code Destination} is {@code WarmPool}: a new instance launching into the warm
     * pool, or an instance of the group being stopped (or hibernated) back into it on scale in.
     * The instance is not terminated: terminating steps never run for it. The transition is
     * either of the two above; {@link LifecycleEvent#eventName()} says which.
     */
    TO_WARM_POOL(null, null, true),
    /** A launching hook whose {@code Origin} is {@code WarmPool}: the instance leaves the pool to join the group. */
    FROM_WARM_POOL(null, null, true),
    LAUNCHED("autoscaling:EC2_INSTANCE_LAUNCH", "EC2 Instance Launch Successful", false),
    LAUNCH_ERROR("autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "EC2 Instance Launch Unsuccessful", false),
    TERMINATED("autoscaling:EC2_INSTANCE_TERMINATE", "EC2 Instance Terminate Successful", false),
    TERMINATE_ERROR("autoscaling:EC2_INSTANCE_TERMINATE_ERROR", "EC2 Instance Terminate Unsuccessful", false),
    CLEANUP_REQUEST("lifeguard:CLEANUP", null, false),
    TEST_NOTIFICATION("autoscaling:TEST_NOTIFICATION", null, false),
    /**
     * A well-formed Auto Scaling event Lifeguard does not act on (an instance refresh, a detach, a
     * notification it does not know): recorded as ignored and deleted, never dead-lettered.
     */
    IGNORED(null, null, false);

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

    /**
     * The {@code LifecycleTransition} or {@code Event} value Auto Scaling uses for this kind; null
     * for the warm-pool kinds (either hook transition) and ignored events (any name).
     */
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

    /**
     * Whether events of this kind go to a route and a profile's steps: every kind but the test
     * notification and ignored events, which intake acknowledges itself.
     */
    public boolean isDispatched() {
        return this != TEST_NOTIFICATION && this != IGNORED;
    }

    /** True for lifecycle hooks: they carry an action token and must be completed. */
    public boolean isHook() {
        return hook;
    }

    public static Optional<Kind> ofTransition(String transition) {
        return Arrays.stream(values()).filter(k -> k.hook && transition.equals(k.eventName)).findFirst();
    }

    public static Optional<Kind> ofEvent(String event) {
        if (LAMBDA_MOP_DELETE.equals(event)) {
            return Optional.of(CLEANUP_REQUEST);
        }
        return Arrays.stream(values()).filter(k -> !k.hook && event.equals(k.eventName)).findFirst();
    }

    public static Optional<Kind> ofDetailType(String detailType) {
        return Arrays.stream(values()).filter(k -> detailType.equals(k.detailType)).findFirst();
    }
}
