package dev.lifeguard.store;

/**
 * What is kept of one step while its event is in progress, so that a worker taking the event
 * over neither repeats a step that succeeded nor sends a waiting step's command again.
 *
 * @param status     SUCCEEDED, ALREADY_DONE, SKIPPED, FAILED, or WAITING while a handle is out
 * @param detail     the step's excerpt, or why it failed
 * @param handle     what a waiting step waits on (an SSM command id), else null
 * @param startedAt  epoch milliseconds when the step started, so its time limit survives a takeover
 */
public record StepRecord(String status, String detail, String handle, long startedAt) {
    public static final String WAITING = "WAITING";

    /** As the item's {@code stepState} keeps it, under the step's name. */
    software.amazon.awssdk.services.dynamodb.model.AttributeValue attribute() {
        java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> state = new java.util.LinkedHashMap<>();
        state.put("status", Claims.s(status));
        if (detail != null) {
            state.put("detail", Claims.s(detail));
        }
        if (handle != null) {
            state.put("handle", Claims.s(handle));
        }
        state.put("startedAt", Claims.n(startedAt));
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromM(state);
    }

    /** True when the step's work is done and must not run again. */
    public boolean ended() {
        return !status.equals(WAITING) && !status.equals("FAILED");
    }
}
