package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An EventBridge event from {@code aws.autoscaling}. The payload is the {@code detail} object,
 * whose fields carry the same names as in a direct hook or notification; the kind comes from
 * {@code detail-type}.
 */
final class EventBridgeEvent {
    private EventBridgeEvent() {
    }

    static boolean matches(JsonNode body) {
        return body.has("detail-type") && body.has("source");
    }

    static LifecycleEvent parse(JsonNode body) {
        String source = Json.requiredText(body, "source");
        if (!source.equals("aws.autoscaling")) {
            throw new RefusedMessageException("EventBridge source " + Identifiers.quote(source) + " is not aws.autoscaling");
        }
        String detailType = Json.requiredText(body, "detail-type");
        Kind kind = Kind.ofDetailType(detailType).orElseThrow(() -> new RefusedMessageException(
                "EventBridge detail-type " + Identifiers.quote(detailType) + " is not an Auto Scaling instance event"));
        JsonNode detail = body.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new RefusedMessageException("EventBridge detail is missing or not an object");
        }
        String eventId = Identifiers.requestId("EventBridge id", Json.requiredText(body, "id"));
        String time = Json.optionalText(body, "time");
        return kind.isHook()
                ? LifecycleHookMessage.parse(kind, detail, Envelope.EVENTBRIDGE, eventId, time)
                : AutoScalingNotification.parse(kind, detail, Envelope.EVENTBRIDGE, eventId, time);
    }
}
