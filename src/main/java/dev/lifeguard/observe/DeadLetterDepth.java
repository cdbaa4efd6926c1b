package dev.lifeguard.observe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The dead-letter queue's approximate depth, read with one {@code GetQueueAttributes} only when
 * someone asks, and at most once every {@link #READ_EVERY}: a status page left open in ten browsers
 * still costs one call every 30 s. SQS says nothing of its oldest message's age (only CloudWatch's
 * {@code ApproximateAgeOfOldestMessage} metric does), so that is left to the alarm.
 */
public final class DeadLetterDepth {
    static final Duration READ_EVERY = Duration.ofSeconds(30);

    /** The last reading: messages, or the error that kept it from being read; {@code readAt} null before the first. */
    public record Reading(String queue, Long messages, Instant readAt, String error) {
    }

    private final SqsClient sqs;
    private final String queueUrl;
    private final Clock clock;
    private final AtMostEvery<Reading> readings;

    public DeadLetterDepth(SqsClient sqs, String queueUrl, Clock clock) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.clock = clock;
        this.readings = new AtMostEvery<>(READ_EVERY, clock, new Reading(queueUrl, null, null, null), this::next);
    }

    public Reading read() {
        return readings.get();
    }

    private Reading next(Reading last) {
        Instant now = clock.instant();
        try {
            String depth = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            return new Reading(queueUrl, depth == null ? null : Long.parseLong(depth), now, null);
        } catch (RuntimeException e) {
            // The last figure stays, with when it was read and why it could not be read now.
            return new Reading(queueUrl, last.messages(), last.readAt(), e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
