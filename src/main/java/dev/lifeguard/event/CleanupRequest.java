package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Sent by an instance whose bootstrap failed (seed 000's {@code lambda_mop:DELETE}): it may
 * never have registered its instance id, so it names what to clean by node name and/or IP.
 * Group and instance id are optional; at least one of node name, IP or instance id is required.
 */
final class CleanupRequest {
    private CleanupRequest() {
    }

    static LifecycleEvent parse(String event, JsonNode body, Envelope envelope, String messageId) {
        String nodeName = Json.optionalText(body, "NodeName");
        String ipAddress = Json.optionalText(body, "IpAddress");
        String instanceId = Json.optionalText(body, "EC2InstanceId");
        String group = Json.optionalText(body, "AutoScalingGroupName");
        String requestId = Json.optionalText(body, "RequestId");
        if (nodeName == null && ipAddress == null && instanceId == null) {
            throw new RefusedMessageException(event + " names nothing to clean: give NodeName, IpAddress or EC2InstanceId");
        }
        return new LifecycleEvent(
                Kind.CLEANUP_REQUEST,
                event,
                envelope,
                group == null ? null : Identifiers.groupName("AutoScalingGroupName", group),
                instanceId == null ? null : Identifiers.instanceId("EC2InstanceId", instanceId),
                null,
                null,
                null,
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId,
                Json.optionalText(body, "Time"),
                null,
                null,
                nodeName == null ? null : Identifiers.nodeName("NodeName", nodeName),
                ipAddress == null ? null : Identifiers.ipAddress("IpAddress", ipAddress),
                Json.freeText(body, "Reason", 1024));
    }
}
