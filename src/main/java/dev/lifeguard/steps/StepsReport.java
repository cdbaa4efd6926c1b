package dev.lifeguard.steps;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the steps of one event did, or why none ran.
 *
 * @param route         the route that ran them, e.g. {@code on-terminated}
 * @param results       one entry per step, in profile order
 * @param refusedReason set when Lifeguard refused to act (the instance is still alive)
 */
public record StepsReport(String route, List<StepResult> results, String refusedReason) {

    public static StepsReport of(String route, List<StepResult> results) {
        return new StepsReport(route, List.copyOf(results), null);
    }

    public static StepsReport refused(String route, String reason) {
        return new StepsReport(route, List.of(), reason);
    }

    public boolean refused() {
        return refusedReason != null;
    }

    public boolean failed() {
        return results.stream().anyMatch(StepResult::failed);
    }

    /** One line for logs and the outcome's {@code steps} attribute. */
    public String summary() {
        if (refused()) {
            return "refused: " + refusedReason;
        }
        if (results.isEmpty()) {
            return "no steps configured for this group and event";
        }
        return results.stream().map(StepResult::toString).collect(Collectors.joining("; "));
    }
}
