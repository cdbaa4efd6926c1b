package dev.lifeguard.aws;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsServiceClientConfiguration;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The client the queue's consumers long-poll with: it only receives. When SQS does not answer,
 * a poll waits before it returns no messages, longer each time (1 s doubling to 20 s), so the
 * consumers back off instead of spinning, and {@link Outages} says so once. At shutdown
 * {@link #stop} closes the connection its polls wait on, so a long poll ends at once instead of
 * sitting out up to 20 s; the poll that was cut, and any after it, return no messages.
 */
public final class PollingSqsClient implements SqsClient {
    private final SqsClient delegate;
    private final boolean owned;
    private volatile boolean stopped;
    private final java.util.concurrent.atomic.AtomicInteger failuresInARow = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.CountDownLatch firstPoll = new java.util.concurrent.CountDownLatch(1);

    /** @param owned whether stopping may close {@code delegate} (not when a test or local mode shares it) */
    public PollingSqsClient(SqsClient delegate, boolean owned) {
        this.delegate = delegate;
        this.owned = owned;
    }

    @Override
    public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
        if (stopped) {
            return ReceiveMessageResponse.builder().build();
        }
        try {
            ReceiveMessageResponse response = delegate.receiveMessage(request);
            failuresInARow.set(0);
            firstPoll.countDown();
            return response;
        } catch (RuntimeException e) {
            firstPoll.countDown();
            if (stopped) {
                return ReceiveMessageResponse.builder().build();
            }
            if (!Outages.isOutage(e)) {
                throw e;
            }
            backOff(failuresInARow.incrementAndGet());
            return ReceiveMessageResponse.builder().build();
        }
    }

    private void backOff(int failures) {
        long millis = Math.min(20_000L, 1_000L << Math.min(5, failures - 1));
        long until = System.currentTimeMillis() + millis;
        try {
            while (!stopped && System.currentTimeMillis() < until) {
                Thread.sleep(Math.min(250, millis));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until a first poll has been answered or has failed; false if none within {@code timeout}. */
    public boolean awaitFirstPoll(java.time.Duration timeout) throws InterruptedException {
        return firstPoll.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** No more polling: cuts a poll in progress and answers every later one with no messages. */
    public void stop() {
        stopped = true;
        if (owned) {
            delegate.close();
        }
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public SqsServiceClientConfiguration serviceClientConfiguration() {
        return delegate.serviceClientConfiguration();
    }

    @Override
    public void close() {
        stop();
    }
}
