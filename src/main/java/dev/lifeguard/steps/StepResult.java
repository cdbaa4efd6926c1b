package dev.lifeguard.steps;

/** One step's record in the outcome: name, type, status, how long it took, and an excerpt. */
public record StepResult(String name, String type, String status, long durationMillis, String detail) {

    public boolean failed() {
        return status.equals("FAILED");
    }

    @Override
    public String toString() {
        return name + " " + status + " in " + durationMillis + " ms" + (detail == null || detail.isBlank() ? "" : ": " + detail);
    }
}
