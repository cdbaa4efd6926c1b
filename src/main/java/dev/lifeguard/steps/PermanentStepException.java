package dev.lifeguard.steps;

/**
 * A step failed in a way no retry can fix: an unsafe value for the tool it feeds, a missing
 * executable, a hosted zone that does not exist, an access denial. The event is not retried;
 * a hook is completed at once with its on-failure result. The message names the value and the
 * rule it broke, so an operator knows what to change.
 */
public class PermanentStepException extends RuntimeException {
    public PermanentStepException(String message) {
        super(message);
    }

    public PermanentStepException(String message, Throwable cause) {
        super(message, cause);
    }
}
