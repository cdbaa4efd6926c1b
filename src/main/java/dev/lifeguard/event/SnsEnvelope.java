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

    static String messageId(JsonNode body) {
        String id = Json.optionalText(body, "MessageId");
        return id == null ? null : Identifiers.requestId("SNS MessageId", id);
    }
}
