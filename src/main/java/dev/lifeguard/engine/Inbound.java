package dev.lifeguard.engine;

import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;

/**
 * The SQS message an event came in: what is needed to keep it hidden, delete it, or send it to
 * the dead-letter queue as it was received.
 */
public record Inbound(String messageId, String receiptHandle, int receiveCount, String rawBody) {
    /** Exchange property holding the SQS body as received, before parsing replaced it. */
    public static final String RAW_BODY = "LifeguardRawBody";

    public static Inbound of(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("ApproximateReceiveCount", Integer.class);
        return new Inbound(
                exchange.getMessage().getHeader(Sqs2Constants.MESSAGE_ID, String.class),
                exchange.getMessage().getHeader(Sqs2Constants.RECEIPT_HANDLE, String.class),
                count == null ? 1 : count,
                exchange.getProperty(RAW_BODY, String.class));
    }
}
