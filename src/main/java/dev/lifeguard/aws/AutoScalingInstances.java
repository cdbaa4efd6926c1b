package dev.lifeguard.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;

/**
 * Auto Scaling's DescribeAutoScalingInstances: which group an instance is in, and in which
 * lifecycle state. Look-ups asked for within a short window go out together, up to 50 ids a
 * call (the most the operation takes), so a burst of a thousand hooks costs about twenty calls.
 */
public class AutoScalingInstances implements AutoCloseable {
    /** The most instance ids DescribeAutoScalingInstances takes in one call. */
    static final int MAX_IDS = 50;

    /** An instance as Auto Scaling sees it. */
    public record Membership(String instanceId, String groupName, String lifecycleState) {
    }

    private final AutoScalingClient autoScaling;
    private final Duration window;
    private final ScheduledExecutorService gatherer;
    private final ExecutorService callers;
    private final Map<String, CompletableFuture<Optional<Membership>>> waiting = new HashMap<>();
    private boolean flushScheduled;

    /** @param window how long a look-up waits for others to share its call */
    public AutoScalingInstances(AutoScalingClient autoScaling, Duration window) {
        this.autoScaling = autoScaling;
        this.window = window;
        this.gatherer = Executors.newSingleThreadScheduledExecutor(daemon("lifeguard-asg-gather"));
        // Two calls at once: a slow or retried call does not hold up the next batch.
        this.callers = Executors.newFixedThreadPool(2, daemon("lifeguard-asg-describe"));
    }

    /**
     * The instance's group and lifecycle state, or empty when it is in no Auto Scaling group (or
     * does not exist), once the batch this look-up joins is answered; a second look-up of the same
     * id shares the first one's answer. Fails with the SDK's exception when Auto Scaling could not
     * be asked.
     */
    public CompletableFuture<Optional<Membership>> lookUp(String instanceId) {
        synchronized (waiting) {
            CompletableFuture<Optional<Membership>> future = waiting.computeIfAbsent(instanceId, id -> new CompletableFuture<>());
            if (waiting.size() >= MAX_IDS) {
                sendBatch();
            } else if (!flushScheduled) {
                flushScheduled = true;
                gatherer.schedule(this::flush, window.toMillis(), TimeUnit.MILLISECONDS);
            }
            return future;
        }
    }

    private void flush() {
        synchronized (waiting) {
            flushScheduled = false;
            if (!waiting.isEmpty()) {
                sendBatch();
            }
        }
    }

    /** Called holding the lock: hands what is waiting to one call. */
    private void sendBatch() {
        Map<String, CompletableFuture<Optional<Membership>>> batch = new HashMap<>(waiting);
        waiting.clear();
        callers.execute(() -> answer(batch));
    }

    private void answer(Map<String, CompletableFuture<Optional<Membership>>> batch) {
        try {
            Map<String, Membership> found = describeAll(batch.keySet());
            batch.forEach((id, future) -> future.complete(Optional.ofNullable(found.get(id))));
        } catch (RuntimeException e) {
            batch.values().forEach(future -> future.completeExceptionally(e));
        }
    }

    private Map<String, Membership> describeAll(Set<String> ids) {
        List<String> list = new ArrayList<>(new LinkedHashSet<>(ids));
        Map<String, Membership> found = new HashMap<>();
        // At most 50 ids, answered with at most 50 records: one page.
        autoScaling.describeAutoScalingInstances(r -> r.instanceIds(list).maxRecords(MAX_IDS))
                .autoScalingInstances().stream()
                .map(AutoScalingInstances::membership)
                .forEach(m -> found.put(m.instanceId(), m));
        return found;
    }

    private static Membership membership(AutoScalingInstanceDetails details) {
        return new Membership(details.instanceId(), details.autoScalingGroupName(), details.lifecycleState());
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        gatherer.shutdownNow();
        callers.shutdownNow();
    }
}
