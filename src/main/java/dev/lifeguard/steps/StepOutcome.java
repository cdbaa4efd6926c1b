package dev.lifeguard.steps;

/**
 * What a step did.
 *
 * @param status SUCCEEDED, ALREADY_DONE or SKIPPED (dry-run or nothing to do); a step that fails
 *               throws instead, and the runner records it as FAILED
 * @param detail a short excerpt for the outcome record: command status, records deleted, output
 */
public record StepOutcome(String status, String detail) {
    public static final int MAX_DETAIL = 500;

    public StepOutcome {
        if (detail != null && detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL) + "…";
        }
    }

    public static StepOutcome succeeded(String detail) {
        return new StepOutcome("SUCCEEDED", detail);
    }

    public static StepOutcome alreadyDone(String detail) {
        return new StepOutcome("ALREADY_DONE", detail);
    }

    public static StepOutcome skipped(String detail) {
        return new StepOutcome("SKIPPED", detail);
    }
}
