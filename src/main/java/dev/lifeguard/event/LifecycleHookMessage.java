package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A lifecycle hook message: the instance waits in Pending:Wait or Terminating:Wait until
 * someone calls CompleteLifecycleAction with its token.
 */
final class LifecycleHookMessage {
    private LifecycleHookMessage() {
    }

    static boolean matches(JsonNode body) {
        return body.has("LifecycleTransition");
    }

    static LifecycleEvent parse(JsonNode body, Envelope envelope, String messageId) {
        String transition = Json.requiredText(body, "LifecycleTransition");
        Kind kind = Kind.ofTransition(transition).orElseThrow(() -> new RefusedMessageException(
                "LifecycleTransition " + Identifiers.quote(transition) + " is not a known transition"));
        return parse(kind, body, envelope, messageId, null);
    }

    /** Shared with EventBridge, whose detail object has the same fields. */
    static LifecycleEvent parse(Kind kind, JsonNode body, Envelope envelope, String messageId, String fallbackTime) {
        String time = Json.optionalText(body, "Time");
        String requestId = Json.optionalText(body, "RequestId");
        return new LifecycleEvent(
                kind,
                kind.eventName(),
                envelope,
                Identifiers.groupName("AutoScalingGroupName", Json.optionalText(body, "AutoScalingGroupName")),
                Identifiers.instanceId("EC2InstanceId", Json.optionalText(body, "EC2InstanceId")),
                Identifiers.hookName("LifecycleHookName", Json.optionalText(body, "LifecycleHookName")),
                Identifiers.actionToken("LifecycleActionToken", Json.optionalText(body, "LifecycleActionToken")),
                Json.freeText(body, "NotificationMetadata", 4096),
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId,
                time != null ? time : fallbackTime,
                Json.freeText(body, "Origin", 64),
                Json.freeText(body, "Destination", 64),
                null,
                null,
                null);
    }
}
