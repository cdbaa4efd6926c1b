package dev.lifeguard.steps;

/**
 * One step's record in the outcome: name, type, status, how long it took, and an excerpt.
 * {@code permanent} marks a failure that no retry can fix (see {@link PermanentStepException}).
 */
public record StepResult(String name, String type, String status, long durationMillis, String detail, boolean permanent) {

    public static StepResult of(String name, String type, StepOutcome outcome, long durationMillis) {
        return new StepResult(name, type, outcome.status(), durationMillis, outcome.detail(), false);
    }

    public static StepResult failed(String name, String type, long durationMillis, String detail, boolean permanent) {
        return new StepResult(name, type, "FAILED", durationMillis, detail, permanent);
    }

    public boolean failed() {
        return status.equals("FAILED");
    }

    @Override
    public String toString() {
        return name + " " + status + " in " + durationMillis + " ms" + (detail == null || detail.isBlank() ? "" : ": " + detail);
    }
}
