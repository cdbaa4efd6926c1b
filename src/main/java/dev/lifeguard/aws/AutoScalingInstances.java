package dev.lifeguard.aws;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;

/**
 * Auto Scaling's DescribeAutoScalingInstances: which group an instance is in, and in which
 * lifecycle state. Look-ups asked for within a short window go out together, up to 50 ids a
 * call (the most the operation takes), so a burst of a thousand hooks costs about twenty calls;
 * throttling is backed off once for all of them ({@link BatchedLookUps}).
 */
public class AutoScalingInstances implements AutoCloseable {
    /** The most instance ids DescribeAutoScalingInstances takes in one call. */
    static final int MAX_IDS = 50;

    /** An instance as Auto Scaling sees it. */
    public record Membership(String instanceId, String groupName, String lifecycleState) {
    }

    private final AutoScalingClient autoScaling;
    private final BatchedLookUps<Membership> lookUps;

    /** @param window how long a look-up waits for others to share its call */
    public AutoScalingInstances(AutoScalingClient autoScaling, Duration window) {
        this.autoScaling = autoScaling;
        this.lookUps = new BatchedLookUps<>("DescribeAutoScalingInstances", window, MAX_IDS, this::describe);
    }

    /**
     * The instance's group and lifecycle state, or empty when it is in no Auto Scaling group (or
     * does not exist), once the batch this look-up joins is answered. Fails with the SDK's
     * exception when Auto Scaling could not be asked (not for throttling: that is waited out).
     */
    public CompletableFuture<Optional<Membership>> lookUp(String instanceId) {
        return lookUps.lookUp(instanceId);
    }

    private Map<String, Membership> describe(List<String> ids) {
        Map<String, Membership> found = new HashMap<>();
        // At most 50 ids, answered with at most 50 records: one page.
        autoScaling.describeAutoScalingInstances(r -> r.instanceIds(ids).maxRecords(MAX_IDS))
                .autoScalingInstances().stream()
                .map(AutoScalingInstances::membership)
                .forEach(m -> found.put(m.instanceId(), m));
        return found;
    }

    private static Membership membership(AutoScalingInstanceDetails details) {
        return new Membership(details.instanceId(), details.autoScalingGroupName(), details.lifecycleState());
    }

    @Override
    public void close() {
        lookUps.close();
    }
}
