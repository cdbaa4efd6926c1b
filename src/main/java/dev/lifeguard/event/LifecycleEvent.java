package dev.lifeguard.event;

/**
 * One Auto Scaling event, whatever envelope it came in. Every identifier in it has passed
 * {@link Identifiers}; fields a kind does not carry are null.
 *
 * @param kind                 what happened
 * @param eventName            the {@code LifecycleTransition} or {@code Event} name as Auto Scaling spells it
 * @param envelope             how it reached the queue
 * @param groupName            the Auto Scaling group (optional only for cleanup requests)
 * @param instanceId           the EC2 instance (optional only for cleanup requests)
 * @param hookName             lifecycle hook name (hooks only)
 * @param actionToken          lifecycle action token (hooks only)
 * @param notificationMetadata the hook's free-form metadata, never used as an identifier
 * @param requestId            Auto Scaling's RequestId, or the cleanup request's id
 * @param messageId            the envelope's own id: SNS MessageId, EventBridge id or SQS MessageId
 * @param time                 when Auto Scaling says it happened (ISO-8601 text as sent)
 * @param origin               where the instance comes from (hooks, optional; EC2, AutoScalingGroup or WarmPool)
 * @param destination          where it goes (hooks, optional; EC2, AutoScalingGroup or WarmPool)
 * @param nodeName             node or host name (cleanup requests)
 * @param ipAddress            IP address (cleanup requests)
 * @param cause                Auto Scaling's human-readable cause or the request's reason
 */
public record LifecycleEvent(
        Kind kind,
        String eventName,
        Envelope envelope,
        String groupName,
        String instanceId,
        String hookName,
        String actionToken,
        String notificationMetadata,
        String requestId,
        String messageId,
        String time,
        String origin,
        String destination,
        String nodeName,
        String ipAddress,
        String cause) {

    /**
     * The key that decides whether this event was already handled. A hook's token is unique
     * per action (a warm-pool hook's key adds its kind); otherwise Auto Scaling's RequestId (the same through SNS and EventBridge, so
     * one activity delivered both ways is handled once), else the envelope's message id.
     */
    public String idempotencyKey() {
        if (kind == Kind.TO_WARM_POOL || kind == Kind.FROM_WARM_POOL) {
            // A launch through the warm pool pauses twice (into the pool, then out of it): each
            // pause is its own event, even were Auto Scaling to give both the same token.
            return "hook#" + actionToken + "#" + kind.profileKey();
        }
        if (kind.isHook()) {
            return "hook#" + actionToken;
        }
        return kind.name() + "#" + (requestId != null ? requestId : messageId);
    }

    public boolean isHook() {
        return kind.isHook();
    }

    /** Whether the hook's transition is a launch ({@code autoscaling:EC2_INSTANCE_LAUNCHING}), whatever its kind. */
    public boolean isLaunchTransition() {
        return Kind.LAUNCHING.eventName().equals(eventName);
    }

    /**
     * A one-line description for logs, without notification metadata (operators put secrets
     * there). A group name may hold spaces, quotes or line breaks, so values other than plain
     * printable ASCII are quoted.
     */
    public String describe() {
        StringBuilder out = new StringBuilder(kind.name().toLowerCase().replace('_', '-'));
        append(out, "group", groupName);
        append(out, "instance", instanceId);
        append(out, "hook", hookName);
        if (kind == Kind.IGNORED) {
            append(out, "event", eventName);
        }
        append(out, "node", nodeName);
        append(out, "ip", ipAddress);
        append(out, "via", envelope.name().toLowerCase());
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String value) {
        if (value != null) {
            out.append(' ').append(name).append('=').append(Identifiers.forLog(value));
        }
    }
}
