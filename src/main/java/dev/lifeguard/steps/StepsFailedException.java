package dev.lifeguard.steps;

/** At least one step failed: the event is retried, and on its last attempt the hook gets its failure result. */
public class StepsFailedException extends RuntimeException {
    private final transient StepsReport report;

    public StepsFailedException(StepsReport report) {
        super("steps failed: " + report.summary());
        this.report = report;
    }

    public StepsReport report() {
        return report;
    }
}
