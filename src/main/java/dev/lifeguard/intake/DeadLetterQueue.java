package dev.lifeguard.intake;

import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Sends a message Lifeguard will not (or can no longer) act on to the dead-letter queue, with why. */
public class DeadLetterQueue {
    /** Message attribute carrying the reason, readable with {@code aws sqs receive-message --message-attribute-names All}. */
    public static final String REASON = "LifeguardReason";
    public static final String SOURCE_MESSAGE_ID = "LifeguardSourceMessageId";

    private final SqsClient sqs;
    private final String queueUrl;

    public DeadLetterQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public void send(String body, String reason, String sourceMessageId) {
        String safeBody = body == null || body.isEmpty() ? "(empty body)" : body;
        sqs.sendMessage(r -> r.queueUrl(queueUrl)
                .messageBody(safeBody)
                .messageAttributes(Map.of(
                        REASON, text(reason.length() > 1000 ? reason.substring(0, 1000) + "…" : reason),
                        SOURCE_MESSAGE_ID, text(sourceMessageId == null ? "unknown" : sourceMessageId))));
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }
}
