package dev.lifeguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lifeguard.MovingClock;
import dev.lifeguard.local.LocalAws;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The dead-letter depth against ElasticMQ: one GetQueueAttributes per 30 s however often it is asked. */
class DeadLetterDepthTest {
    private final LocalAws aws = LocalAws.shared();

    @Test
    void readsTheDepthAtMostEvery30Seconds() {
        String url = aws.createQueue("depth-test-dlq", 30);
        for (int i = 0; i < 3; i++) {
            aws.sqs().sendMessage(r -> r.queueUrl(url).messageBody("refused"));
        }
        AttributeReads reads = new AttributeReads("depth-test-dlq");
        MovingClock clock = new MovingClock();
        try (SqsClient sqs = reads.client()) {
            DeadLetterDepth depth = new DeadLetterDepth(sqs, url, clock);
            DeadLetterDepth.Reading first = depth.read();
            assertEquals(3L, first.messages());
            assertEquals(MovingClock.START, first.readAt());
            assertEquals(url, first.queue());
            assertNull(first.error());

            aws.sqs().sendMessage(r -> r.queueUrl(url).messageBody("refused"));
            clock.advance(Duration.ofSeconds(29));
            for (int i = 0; i < 10; i++) {
                assertEquals(3L, depth.read().messages());
            }
            assertEquals(1, reads.count());

            clock.advance(Duration.ofSeconds(1));
            assertEquals(4L, depth.read().messages());
            assertEquals(2, reads.count());
        }
    }

    @Test
    void saysWhyTheQueueCouldNotBeReadAndDoesNotAskAgainAtOnce() {
        AttributeReads reads = new AttributeReads("no-such-dlq");
        String url = aws.sqsEndpoint() + "/000000000000/no-such-dlq";
        try (SqsClient sqs = reads.client()) {
            DeadLetterDepth depth = new DeadLetterDepth(sqs, url, new MovingClock());
            DeadLetterDepth.Reading reading = depth.read();
            assertNull(reading.messages());
            assertNull(reading.readAt());
            assertNotNull(reading.error());
            depth.read();
            assertEquals(1, reads.count());
        }
    }
}
