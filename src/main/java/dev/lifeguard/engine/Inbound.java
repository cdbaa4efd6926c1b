package dev.lifeguard.engine;

import dev.lifeguard.aws.Receipt;
import java.time.Instant;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;

/**
 * The SQS message an event came in: what is needed to keep it hidden, delete it, or send it to
 * its queue's dead-letter queue as it was received, and when it was sent (SQS's
 * {@code SentTimestamp}), from which a hook's first heartbeat is paced.
 */
public record Inbound(String messageId, Receipt receipt, int receiveCount, String rawBody, Instant sentAt) {
    /** Exchange property holding the SQS body as received, before parsing replaced it. */
    public static final String RAW_BODY = "LifeguardRawBody";
    /** Exchange property holding the URL of the queue the message came from (routes/intake.camel.yaml sets it). */
    public static final String QUEUE_URL = "LifeguardQueueUrl";

    public static Inbound of(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("ApproximateReceiveCount", Integer.class);
        Long sent = exchange.getMessage().getHeader("SentTimestamp", Long.class);
        return new Inbound(
                exchange.getMessage().getHeader(Sqs2Constants.MESSAGE_ID, String.class),
                new Receipt(exchange.getProperty(QUEUE_URL, String.class),
                        exchange.getMessage().getHeader(Sqs2Constants.RECEIPT_HANDLE, String.class)),
                count == null ? 1 : count,
                exchange.getProperty(RAW_BODY, String.class),
                sent == null ? null : Instant.ofEpochMilli(sent));
    }
}
