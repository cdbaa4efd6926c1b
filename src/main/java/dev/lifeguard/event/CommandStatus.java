package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * SSM's own word that a command on an instance changed status: the EventBridge event
 * "EC2 Command Invocation Status-change Notification" from {@code aws.ssm}, forwarded to the
 * intake queue. It is not an Auto Scaling event and nothing is run for it: it only tells the
 * engine that a parked {@code ssm-command} step may have ended, and the engine then asks SSM
 * itself (GetCommandInvocation), so a forged status can end nothing.
 *
 * @param commandId    the command's id
 * @param instanceId   the instance it ran on
 * @param documentName the document it ran
 * @param status       the invocation's status as SSM spells it (Success, Failed, InProgress, …)
 * @param eventId      the EventBridge event's id
 * @param time         when EventBridge says it happened
 */
public record CommandStatus(String commandId, String instanceId, String documentName, String status, String eventId,
                            String time) {
    /** The EventBridge detail-type of a command invocation's status change. */
    public static final String DETAIL_TYPE = "EC2 Command Invocation Status-change Notification";
    public static final String SOURCE = "aws.ssm";
    /** Statuses on the way to an end: nothing to look at yet. Any other status may be an end. */
    private static final Set<String> UNDER_WAY = Set.of("Pending", "InProgress", "Delayed", "Cancelling");

    /** Whether the status may be the command's end, so that its wait is looked at now. */
    public boolean mayHaveEnded() {
        return !UNDER_WAY.contains(status);
    }

    /** The key its recorded outcome (when ignored) is kept under: one per status event. */
    public String idempotencyKey() {
        return "COMMAND_STATUS#" + eventId;
    }

    public String describe() {
        return "ssm-command-status command=" + commandId + " instance=" + instanceId + " document="
                + Identifiers.forLog(documentName) + " status=" + status;
    }

    /**
     * Reads the event, or returns null when it is another kind of {@code aws.ssm} event (a
     * command's overall status, an association, …) or names a managed node that is not an EC2
     * instance ({@code mi-…}): Lifeguard sends no command there, so those are ignored like Auto
     * Scaling events it does not act on.
     */
    static CommandStatus fromEventBridge(JsonNode body) {
        String detailType = Json.requiredText(body, "detail-type");
        if (!DETAIL_TYPE.equals(detailType)) {
            return null;
        }
        JsonNode detail = EventBridgeEvent.detail(body);
        String instance = Json.requiredText(detail, "instance-id");
        if (instance.startsWith("mi-")) {
            return null;
        }
        return new CommandStatus(
                Identifiers.commandId("command-id", Json.requiredText(detail, "command-id")),
                Identifiers.instanceId("instance-id", instance),
                Identifiers.documentName("document-name", Json.requiredText(detail, "document-name")),
                Identifiers.commandStatus("status", Json.requiredText(detail, "status")),
                Identifiers.requestId("EventBridge id", Json.requiredText(body, "id")),
                Json.optionalText(body, "time"));
    }
}
