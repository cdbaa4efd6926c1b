package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An SNS notification delivered to SQS without raw message delivery: the Auto Scaling JSON is
 * a string in {@code Message}. Signature fields are not checked here; the queue policy decides
 * which topics may send.
 */
final class SnsEnvelope {
    private SnsEnvelope() {
    }

    static boolean matches(JsonNode body) {
        return body.path("Type").asText("").equals("Notification") && body.has("Message") && body.has("TopicArn");
    }

    /** The parsed inner message. */
    static JsonNode unwrap(JsonNode body, ObjectMapper mapper) {
        String message = Json.requiredText(body, "Message");
        try {
            JsonNode inner = mapper.readTree(message);
            if (inner == null || !inner.isObject()) {
                throw new RefusedMessageException("SNS Message is not a JSON object");
            }
            return inner;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new RefusedMessageException("SNS Message is not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The topic's account and region from its ARN ({@code arn:aws:sns:us-east-1:123456789012:name}):
     * Auto Scaling publishes only to a topic in its group's region.
     */
    static AccountRegion topicAccountRegion(JsonNode body) {
        String[] arn = Json.requiredText(body, "TopicArn").split(":", 6);
        if (arn.length != 6 || !arn[0].equals("arn") || !arn[2].equals("sns")) {
            throw new RefusedMessageException("SNS TopicArn is not an SNS topic ARN: " + Identifiers.quote(body.path("TopicArn").asText()));
        }
        return new AccountRegion(Identifiers.accountId("SNS TopicArn account", arn[4]), Identifiers.region("SNS TopicArn region", arn[3]));
    }

    static String messageId(JsonNode body) {
        String id = Json.optionalText(body, "MessageId");
        return id == null ? null : Identifiers.requestId("SNS MessageId", id);
    }
}
