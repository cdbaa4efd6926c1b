package dev.lifeguard.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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
 * @param account              the AWS account the group is in, when the message says (else null)
 * @param region               the region the group is in, when the message says (else null)
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
        String cause,
        String account,
        String region) {

    /** An event whose message does not say its account and region. */
    public LifecycleEvent(Kind kind, String eventName, Envelope envelope, String groupName, String instanceId,
                          String hookName, String actionToken, String notificationMetadata, String requestId,
                          String messageId, String time, String origin, String destination, String nodeName,
                          String ipAddress, String cause) {
        this(kind, eventName, envelope, groupName, instanceId, hookName, actionToken, notificationMetadata, requestId,
                messageId, time, origin, destination, nodeName, ipAddress, cause, null, null);
    }

    /** This event as having happened in {@code where}: the envelope said what the payload did not. */
    public LifecycleEvent in(AccountRegion where) {
        return new LifecycleEvent(kind, eventName, envelope, groupName, instanceId, hookName, actionToken,
                notificationMetadata, requestId, messageId, time, origin, destination, nodeName, ipAddress, cause,
                where.account(), where.region());
    }

    /** Where the event happened, as far as its message says. */
    public AccountRegion where() {
        return new AccountRegion(account, region);
    }

    /**
     * The key that decides whether this event was already handled. A hook's key is its action:
     * the token together with the group and instance it names, so a copy naming another group or
     * instance is another event (confirmed or refused on its own) and can never block, take over
     * or end the real one; the kind is left out, so a copy claiming another destination (WarmPool)
     * is the same action and never runs its steps twice. The token is hashed in: keys reach logs,
     * and a live token is enough to complete an action. Other events: Auto Scaling's RequestId (the
     * same through SNS and EventBridge, so one activity delivered both ways is handled once), else
     * the envelope's message id.
     */
    public String idempotencyKey() {
        if (kind.isHook()) {
            return "hook#" + instanceId + "#" + digest(actionToken + "\n" + groupName + "\n" + instanceId);
        }
        return kind.name() + "#" + (requestId != null ? requestId : messageId);
    }

    /** 128 bits of SHA-256 in hex: short enough for a key, far too long to guess or collide. */
    private static String digest(String text) {
        byte[] hash = SHA_256.get().digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(hash, 0, 16);
    }

    /** One digest per thread: looking the algorithm up costs as much as hashing a key. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    public boolean isHook() {
        return kind.isHook();
    }

    /** Auto Scaling's test message, sent when a hook or notification is set up: acknowledged, nothing else. */
    public boolean isTestNotification() {
        return kind == Kind.TEST_NOTIFICATION;
    }

    /** An Auto Scaling event Lifeguard does not act on (see {@link IgnoredEvent}). */
    public boolean isIgnored() {
        return kind == Kind.IGNORED;
    }

    /** The route that handles this event's kind ({@link Kind#route()}). */
    public String route() {
        return kind.route();
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
        append(out, "account", account);
        append(out, "region", region);
        return out.toString();
    }

    private static void append(StringBuilder out, String name, String value) {
        if (value != null) {
            out.append(' ').append(name).append('=').append(Identifiers.forLog(value));
        }
    }
}
