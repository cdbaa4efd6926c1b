package dev.lifeguard.aws;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.AccountRegion;
import java.util.concurrent.ConcurrentHashMap;
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

    private final PerAccount<AutoScalingClient> autoScaling;
    private final Duration window;
    /** One batch per account and region: a call names instances of one account and region only. */
    private final Map<AccountRegion, BatchedLookUps<Membership>> lookUps = new ConcurrentHashMap<>();

    /**
     * @param autoScaling every call goes to the event's own account and region
     * @param window      how long a look-up waits for others to share its call
     */
    public AutoScalingInstances(PerAccount<AutoScalingClient> autoScaling, Duration window) {
        this.autoScaling = autoScaling;
        this.window = window;
    }

    public AutoScalingInstances(AutoScalingClient autoScaling, Duration window) {
        this(PerAccount.only(autoScaling), window);
    }

    /**
     * The instance's group and lifecycle state, or empty when it is in no Auto Scaling group (or
     * does not exist), once the batch this look-up joins is answered. Fails with the SDK's
     * exception when Auto Scaling could not be asked (not for throttling: that is waited out).
     */
    public CompletableFuture<Optional<Membership>> lookUp(AccountRegion where, String instanceId) {
        return lookUps.computeIfAbsent(autoScaling.place(where), place -> new BatchedLookUps<>("DescribeAutoScalingInstances",
                window, MAX_IDS, ids -> describe(autoScaling.in(place), ids))).lookUp(instanceId);
    }

    private static Map<String, Membership> describe(AutoScalingClient autoScaling, List<String> ids) {
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
        lookUps.values().forEach(BatchedLookUps::close);
    }
}
