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

    /**
     * Shared with EventBridge, whose detail object has the same fields.
     *
     * @param transition {@link Kind#LAUNCHING} or {@link Kind#TERMINATING}, as the transition says;
     *                   {@code Origin} and {@code Destination} may make it a warm-pool kind
     */
    static LifecycleEvent parse(Kind transition, JsonNode body, Envelope envelope, String messageId, String fallbackTime) {
        String time = Json.optionalText(body, "Time");
        String requestId = Json.optionalText(body, "RequestId");
        String origin = Identifiers.location("Origin", Json.optionalText(body, "Origin"));
        String destination = Identifiers.location("Destination", Json.optionalText(body, "Destination"));
        return new LifecycleEvent(
                kind(transition, origin, destination),
                transition.eventName(),
                envelope,
                Identifiers.groupName("AutoScalingGroupName", Json.optionalText(body, "AutoScalingGroupName")),
                Identifiers.instanceId("EC2InstanceId", Json.optionalText(body, "EC2InstanceId")),
                Identifiers.hookName("LifecycleHookName", Json.optionalText(body, "LifecycleHookName")),
                Identifiers.actionToken("LifecycleActionToken", Json.optionalText(body, "LifecycleActionToken")),
                Json.freeText(body, "NotificationMetadata", 4096),
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId,
                time != null ? time : fallbackTime,
                origin,
                destination,
                null,
                null,
                null);
    }

    /**
     * What a hook means once a warm pool is involved. Into the pool (Destination {@code WarmPool}),
     * launching or terminating, the instance is stopped, not terminated; out of the pool (Origin
     * {@code WarmPool}) a launching instance joins the group. A terminating hook from the pool
     * (Origin {@code WarmPool}, Destination {@code EC2}) is a real termination. Without Origin
     * and Destination, the transition decides alone.
     */
    static Kind kind(Kind transition, String origin, String destination) {
        if ("WarmPool".equals(destination)) {
            return Kind.TO_WARM_POOL;
        }
        if (transition == Kind.LAUNCHING && "WarmPool".equals(origin)) {
            return Kind.FROM_WARM_POOL;
        }
        return transition;
    }
}
