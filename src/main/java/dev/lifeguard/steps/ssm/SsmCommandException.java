package dev.lifeguard.steps.ssm;

/**
 * An SSM command that ended badly (Failed, Cancelled, TimedOut) or that Lifeguard stopped waiting
 * for. Carries the command id and last status so that a caller deciding between CONTINUE and
 * ABANDON, or an operator reading the outcome, can find the command in the SSM console.
 */
public class SsmCommandException extends RuntimeException {
    private final String commandId;
    private final String status;

    public SsmCommandException(String message, String commandId, String status) {
        super(message);
        this.commandId = commandId;
        this.status = status;
    }

    public String commandId() {
        return commandId;
    }

    /** SSM's invocation status as last seen, e.g. {@code Failed}, or {@code InProgress} on a timeout. */
    public String status() {
        return status;
    }
}
