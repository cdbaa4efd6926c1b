package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A well-formed Auto Scaling event that Lifeguard does not act on: an EventBridge event from
 * {@code aws.autoscaling} whose {@code detail-type} is not one of the six instance events (an
 * instance refresh, a detach, whatever AWS adds next), or a notification whose {@code Event} has
 * Auto Scaling's form but is not one Lifeguard knows. Such an event is acknowledged, recorded as
 * {@code IGNORED} and counted; it is not refused, because nothing is wrong with it.
 */
public final class IgnoredEvent {
    /**
     * The detail-types AWS documents for {@code aws.autoscaling} that Lifeguard ignores; they are
     * the values of the {@code type} label of {@code lifeguard_ignored_total}, every other name
     * counting as {@code other}, so the label stays a bounded set.
     */
    public static final Set<String> KNOWN_DETAIL_TYPES = Set.of(
            "EC2 Instance Detach Successful",
            "EC2 Instance Detach Unsuccessful",
            "EC2 Auto Scaling Instance Refresh Checkpoint Reached",
            "EC2 Auto Scaling Instance Refresh Started",
            "EC2 Auto Scaling Instance Refresh Succeeded",
            "EC2 Auto Scaling Instance Refresh Failed",
            "EC2 Auto Scaling Instance Refresh Cancelled",
            "EC2 Auto Scaling Instance Refresh Rollback Started",
            "EC2 Auto Scaling Instance Refresh Rollback Succeeded",
            "EC2 Auto Scaling Instance Refresh Rollback Failed",
            "EC2 Auto Scaling Instance Refresh Started Baking");

    private IgnoredEvent() {
    }

    /** The metric label for an ignored event's name: a detail-type AWS documents, else {@code other}. */
    public static String label(String eventName) {
        return KNOWN_DETAIL_TYPES.contains(eventName) ? eventName : "other";
    }

    /** An EventBridge event whose detail-type Lifeguard does not know; {@code detail} must still be an object. */
    static LifecycleEvent fromEventBridge(String detailType, JsonNode detail, String eventId, String time) {
        return event(Identifiers.eventName("EventBridge detail-type", detailType), detail, Envelope.EVENTBRIDGE, eventId, time);
    }

    /**
     * A notification whose {@code Event} is Auto Scaling's ({@code autoscaling:...}) but not one
     * Lifeguard knows. It must name its group, as every Auto Scaling notification does; anything
     * else is refused as before.
     */
    static LifecycleEvent fromNotification(String eventName, JsonNode body, Envelope envelope, String messageId) {
        if (!Identifiers.isAutoScalingEvent(eventName)) {
            throw new RefusedMessageException(
                    "Event " + Identifiers.quote(eventName) + " is not an Auto Scaling notification or cleanup request");
        }
        Identifiers.groupName("AutoScalingGroupName", Json.optionalText(body, "AutoScalingGroupName"));
        return event(eventName, body, envelope, messageId, null);
    }

    private static LifecycleEvent event(String eventName, JsonNode body, Envelope envelope, String messageId, String fallbackTime) {
        String group = Json.optionalText(body, "AutoScalingGroupName");
        String instance = Json.optionalText(body, "EC2InstanceId");
        String requestId = Json.optionalText(body, "RequestId");
        String time = Json.optionalText(body, "Time");
        return new LifecycleEvent(Kind.IGNORED, eventName, envelope,
                group == null ? null : Identifiers.groupName("AutoScalingGroupName", group),
                instance == null || instance.isEmpty() ? null : Identifiers.instanceId("EC2InstanceId", instance),
                null, null, null,
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId, time != null ? time : fallbackTime, null, null, null, null,
                Json.freeText(body, "Cause", 1024));
    }
}
