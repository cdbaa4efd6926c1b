package dev.lifeguard.aws;

import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsServiceClientConfiguration;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * The client the queue's consumers long-poll with: it only receives. At shutdown {@link #stop}
 * closes the connection its polls wait on, so a long poll ends at once instead of sitting out up
 * to 20 s; the poll that was cut, and any after it, simply return no messages.
 */
public final class PollingSqsClient implements SqsClient {
    private final SqsClient delegate;
    private final boolean owned;
    private volatile boolean stopped;

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
            return delegate.receiveMessage(request);
        } catch (RuntimeException e) {
            if (stopped) {
                return ReceiveMessageResponse.builder().build();
            }
            throw e;
        }
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
