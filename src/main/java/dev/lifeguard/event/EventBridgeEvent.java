package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An EventBridge event from {@code aws.autoscaling}. The payload is the {@code detail} object,
 * whose fields carry the same names as in a direct hook or notification; the kind comes from
 * {@code detail-type}. A detail-type other than the six instance events is an event Lifeguard
 * ignores ({@link IgnoredEvent}).
 */
final class EventBridgeEvent {
    private EventBridgeEvent() {
    }

    static boolean matches(JsonNode body) {
        return body.has("detail-type") && body.has("source");
    }

    /** The event's {@code detail}, which must be an object whatever the source. */
    static JsonNode detail(JsonNode body) {
        JsonNode detail = body.get("detail");
        if (detail == null || !detail.isObject()) {
            throw new RefusedMessageException("EventBridge detail is missing or not an object");
        }
        return detail;
    }

    /** The account and region EventBridge says the event happened in (it always sends both). */
    static AccountRegion accountRegion(JsonNode body) {
        String account = Json.optionalText(body, "account");
        String region = Json.optionalText(body, "region");
        return new AccountRegion(account == null ? null : Identifiers.accountId("EventBridge account", account),
                region == null ? null : Identifiers.region("EventBridge region", region));
    }

    static LifecycleEvent parse(JsonNode body) {
        String source = Json.requiredText(body, "source");
        if (!source.equals("aws.autoscaling")) {
            throw new RefusedMessageException("EventBridge source " + Identifiers.quote(source) + " is not aws.autoscaling");
        }
        String detailType = Json.requiredText(body, "detail-type");
        JsonNode detail = detail(body);
        String eventId = Identifiers.requestId("EventBridge id", Json.requiredText(body, "id"));
        String time = Json.optionalText(body, "time");
        Kind kind = Kind.ofDetailType(detailType).orElse(null);
        if (kind == null) {
            // An instance refresh, a detach, or a type AWS adds later: well-formed, not ours to act on.
            return IgnoredEvent.fromEventBridge(detailType, detail, eventId, time);
        }
        return kind.isHook()
                ? LifecycleHookMessage.parse(kind, detail, Envelope.EVENTBRIDGE, eventId, time)
                : AutoScalingNotification.parse(kind, detail, Envelope.EVENTBRIDGE, eventId, time);
    }
}
