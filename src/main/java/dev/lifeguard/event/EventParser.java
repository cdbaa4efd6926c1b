package dev.lifeguard.event;

import java.util.function.UnaryOperator;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Turns an SQS message body into a {@link LifecycleEvent}. This is the one place that decides
 * which shape a message has; each shape has its own small parser beside this class. Anything
 * it cannot read throws {@link RefusedMessageException} naming the reason.
 */
public class EventParser {
    /** SQS caps bodies at 256 KiB; anything larger did not come from Auto Scaling. */
    static final int MAX_BODY_CHARS = 256 * 1024;
    /** Auto Scaling payloads nest three levels deep; a deep document is an attack, not an event. */
    static final int MAX_DEPTH = 16;

    private final ObjectMapper mapper;
    private final UnaryOperator<AccountRegion> place;

    /** Events keep the account and region their message says. */
    public EventParser() {
        this(UnaryOperator.identity());
    }

    /**
     * @param place where the calls for an event from a given account and region go, with what
     *              the message does not say filled in; throws {@link RefusedMessageException} for
     *              an account that is not served
     */
    public EventParser(UnaryOperator<AccountRegion> place) {
        this.place = place;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(MAX_BODY_CHARS)
                        .build())
                .build();
        this.mapper = new ObjectMapper(factory);
    }

    /**
     * @param body         the SQS message body
     * @param sqsMessageId the SQS MessageId, the fallback id when the body carries none
     */
    public LifecycleEvent parse(String body, String sqsMessageId) {
        if (read(body, sqsMessageId) instanceof LifecycleEvent event) {
            return event;
        }
        throw new RefusedMessageException("an SSM command status, not an Auto Scaling event");
    }

    /**
     * What the intake queue can carry: a {@link LifecycleEvent}, or a {@link CommandStatus} (SSM's
     * EventBridge event for a command Lifeguard may be waiting on).
     */
    public Object read(String body, String sqsMessageId) {
        JsonNode root = readObject(body, "message body");
        if (EventBridgeEvent.matches(root) && CommandStatus.SOURCE.equals(Json.optionalText(root, "source"))) {
            CommandStatus status = CommandStatus.fromEventBridge(root);
            if (status != null) {
                return status;
            }
            return IgnoredEvent.fromEventBridge(Json.requiredText(root, "detail-type"), EventBridgeEvent.detail(root),
                    Identifiers.requestId("EventBridge id", Json.requiredText(root, "id")), Json.optionalText(root, "time"));
        }
        if (SnsEnvelope.matches(root)) {
            JsonNode payload = SnsEnvelope.unwrap(root, mapper);
            AccountRegion topic = SnsEnvelope.topicAccountRegion(root);
            return placed(parsePayload(payload, Envelope.SNS, SnsEnvelope.messageId(root)),
                    new AccountRegion(accountId(payload, topic.account()), topic.region()));
        }
        if (EventBridgeEvent.matches(root)) {
            return placed(EventBridgeEvent.parse(root), EventBridgeEvent.accountRegion(root));
        }
        String messageId = sqsMessageId == null ? null : Identifiers.requestId("SQS MessageId", sqsMessageId);
        // Sent straight to SQS by a hook: the payload names the account; the region is the queue's.
        return placed(parsePayload(root, Envelope.DIRECT, messageId), new AccountRegion(accountId(root, null), null));
    }

    private LifecycleEvent placed(LifecycleEvent event, AccountRegion said) {
        return event.in(place.apply(said));
    }

    /** The payload's {@code AccountId} (hooks and notifications carry it), else {@code fallback}. */
    private static String accountId(JsonNode payload, String fallback) {
        String account = Json.optionalText(payload, "AccountId");
        return account == null ? fallback : Identifiers.accountId("AccountId", account);
    }

    private LifecycleEvent parsePayload(JsonNode payload, Envelope envelope, String messageId) {
        // Test notifications for hooks also carry hook fields, so look at Event first.
        if (payload.has("Event")) {
            String event = Json.requiredText(payload, "Event");
            Kind kind = Kind.ofEvent(event).orElse(null);
            if (kind == null) {
                return IgnoredEvent.fromNotification(event, payload, envelope, messageId);
            }
            return switch (kind) {
                case TEST_NOTIFICATION -> testNotification(payload, envelope, messageId);
                case CLEANUP_REQUEST -> CleanupRequest.parse(event, payload, envelope, messageId);
                default -> AutoScalingNotification.parse(kind, payload, envelope, messageId, null);
            };
        }
        if (LifecycleHookMessage.matches(payload)) {
            return LifecycleHookMessage.parse(payload, envelope, messageId);
        }
        throw new RefusedMessageException(
                "unknown message shape: no LifecycleTransition, Event, SNS envelope or EventBridge detail-type");
    }

    private static LifecycleEvent testNotification(JsonNode payload, Envelope envelope, String messageId) {
        String group = Json.optionalText(payload, "AutoScalingGroupName");
        String requestId = Json.optionalText(payload, "RequestId");
        return new LifecycleEvent(Kind.TEST_NOTIFICATION, Kind.TEST_NOTIFICATION.eventName(), envelope,
                group == null ? null : Identifiers.groupName("AutoScalingGroupName", group),
                null, null, null, null,
                requestId == null ? null : Identifiers.requestId("RequestId", requestId),
                messageId, Json.optionalText(payload, "Time"), null, null, null, null, null);
    }

    private JsonNode readObject(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new RefusedMessageException(what + " is empty");
        }
        if (text.length() > MAX_BODY_CHARS) {
            throw new RefusedMessageException(what + " is larger than " + MAX_BODY_CHARS + " characters");
        }
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null || !node.isObject()) {
                throw new RefusedMessageException(what + " is not a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new RefusedMessageException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
