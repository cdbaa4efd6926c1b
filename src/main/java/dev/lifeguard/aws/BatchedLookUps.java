package dev.lifeguard.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Look-ups by id that go out together: those asked for within a short window share one call,
 * up to the most ids the API takes, so a thousand events arriving together cost a handful of
 * calls instead of a thousand (DescribeInstances, DescribeAutoScalingInstances). A second look-up
 * of an id already waiting shares its answer.
 *
 * <p>Throttling is backed off here, once for the API and every event waiting on it: the batch is
 * asked again after a growing pause (from a quarter second to 30 s, with jitter), and its
 * look-ups never fail for it; the SDK's own retries have been spent by then. Any other error
 * fails the batch's look-ups, for their callers to decide.
 */
public final class BatchedLookUps<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchedLookUps.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final String api;
    private final Duration window;
    private final int maxIds;
    private final Function<List<String>, Map<String, V>> describe;
    private final ScheduledExecutorService gatherer;
    private final ExecutorService callers;
    private final Map<String, CompletableFuture<Optional<V>>> waiting = new HashMap<>();
    private boolean flushScheduled;
    /** Throttled calls in a row: paces the next, and is 0 again after an answer. */
    private final AtomicInteger throttled = new AtomicInteger();

    /**
     * @param api      the operation, for threads and logs
     * @param window   how long a look-up waits for others to share its call
     * @param maxIds   the most ids one call takes
     * @param describe one call: the ids asked about → what was found, by id (absent ids: not found)
     */
    public BatchedLookUps(String api, Duration window, int maxIds, Function<List<String>, Map<String, V>> describe) {
        this.api = api;
        this.window = window;
        this.maxIds = maxIds;
        this.describe = describe;
        this.gatherer = Executors.newSingleThreadScheduledExecutor(daemon("lifeguard-" + api + "-gather"));
        // Two calls at once: a slow call does not hold up the next batch.
        this.callers = Executors.newFixedThreadPool(2, daemon("lifeguard-" + api));
    }

    /** What was found for the id once its batch is answered, or empty when nothing was. */
    public CompletableFuture<Optional<V>> lookUp(String id) {
        synchronized (waiting) {
            CompletableFuture<Optional<V>> future = waiting.computeIfAbsent(id, key -> new CompletableFuture<>());
            if (waiting.size() >= maxIds) {
                sendBatch();
            } else if (!flushScheduled) {
                flushScheduled = true;
                gatherer.schedule(this::flush, window.toMillis(), TimeUnit.MILLISECONDS);
            }
            return future;
        }
    }

    /** Waits for a look-up's answer; a failed call throws its own exception, not a wrapper of it. */
    public static <V> Optional<V> join(CompletableFuture<Optional<V>> lookUp) {
        try {
            return lookUp.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
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
        Map<String, CompletableFuture<Optional<V>>> batch = new HashMap<>(waiting);
        waiting.clear();
        callers.execute(() -> answer(batch));
    }

    private void answer(Map<String, CompletableFuture<Optional<V>>> batch) {
        try {
            Map<String, V> found = describe.apply(new ArrayList<>(batch.keySet()));
            throttled.set(0);
            batch.forEach((id, future) -> future.complete(Optional.ofNullable(found.get(id))));
        } catch (AwsServiceException e) {
            if (!e.isThrottlingException()) {
                batch.values().forEach(future -> future.completeExceptionally(e));
                return;
            }
            int inARow = throttled.incrementAndGet();
            long backoff = Math.min(MAX_BACKOFF_MILLIS, 250L << Math.min(7, inARow - 1));
            long pause = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            if (inARow == 1 || inARow % 10 == 0) {
                LOG.warn("{} is throttled ({} calls in a row); asking again for {} ids in {} ms", api, inARow, batch.size(), pause);
            }
            gatherer.schedule(() -> callers.execute(() -> answer(batch)), pause, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            batch.values().forEach(future -> future.completeExceptionally(e));
        }
    }

    private static ThreadFactory daemon(String prefix) {
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
