package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A plain Auto Scaling notification (LAUNCH, LAUNCH_ERROR, TERMINATE, TERMINATE_ERROR). It
 * reports something that already happened; there is no token and nothing to complete.
 */
final class AutoScalingNotification {
    private AutoScalingNotification() {
    }

    static LifecycleEvent parse(Kind kind, JsonNode body, Envelope envelope, String messageId, String fallbackTime) {
        String time = Json.optionalText(body, "Time");
        String requestId = Json.optionalText(body, "RequestId");
        if (requestId == null) {
            requestId = Json.optionalText(body, "ActivityId");
        }
        return new LifecycleEvent(
                kind,
                kind.eventName(),
                envelope,
                Identifiers.groupName("AutoScalingGroupName", Json.optionalText(body, "AutoScalingGroupName")),
                instanceId(kind, Json.optionalText(body, "EC2InstanceId")),
                null,
                null,
                null,
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId,
                time != null ? time : fallbackTime,
                null,
                null,
                null,
                null,
                Json.freeText(body, "Cause", 1024));
    }

    /** A launch that failed before EC2 created an instance is reported with an empty id. */
    private static String instanceId(Kind kind, String value) {
        if (kind == Kind.LAUNCH_ERROR && (value == null || value.isEmpty())) {
            return null;
        }
        return Identifiers.instanceId("EC2InstanceId", value);
    }
}
