package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.WaitingStep;
import java.time.Duration;
import java.time.Instant;

/**
 * Handles of the Salt steps that wait. With {@code transport: api} the handle is the Salt job id
 * of the state run. A key accept with {@code highstate: false} ends within {@link
 * WaitingStep#start}; its handle then carries the outcome ({@code done:STATUS:detail}), so the
 * first look reports it, and a worker taking over the event does not accept the key again.
 * (The local transport does not park: see {@code waits}.)
 */
final class SaltWaits {
    private static final String DONE = "done:";

    private SaltWaits() {
    }

    static String done(StepOutcome outcome) {
        return DONE + outcome.status() + ":" + (outcome.detail() == null ? "" : outcome.detail());
    }

    /** The outcome a done handle carries, or null for a job id. */
    static StepOutcome outcome(String handle) {
        if (!handle.startsWith(DONE)) {
            return null;
        }
        String rest = handle.substring(DONE.length());
        int colon = rest.indexOf(':');
        return new StepOutcome(colon < 0 ? rest : rest.substring(0, colon), colon < 0 ? "" : rest.substring(colon + 1));
    }

    static Duration pollInterval(StepConfig config) {
        Duration every = config.duration("poll-interval", Duration.ofSeconds(5));
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("step " + config.stepName() + ": 'poll-interval' must be positive, not " + every);
        }
        return every;
    }

    /** The whole wait in one blocking call, for a use outside the engine (which parks instead). */
    static StepOutcome await(WaitingStep step, StepRequest request, String handle) throws Exception {
        Instant deadline = Instant.now().plus(request.config().duration("timeout", Duration.ofMinutes(5)));
        while (true) {
            StepOutcome outcome = step.check(request, handle);
            if (outcome != null) {
                return outcome;
            }
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                throw step.timedOut(request, handle, "in progress");
            }
            Duration every = step.checkEvery(request);
            Thread.sleep(Math.max(1, Math.min(every.toMillis(), left.toMillis())));
        }
    }

    /** The message of a job that did not end in time. Salt has no cancel that is sure to stop a state run. */
    static Exception timedOut(StepRequest request, String minion, String handle, String lastStatus) {
        Duration timeout = request.config().duration("timeout", Duration.ofMinutes(5));
        return new IllegalStateException("salt job " + handle + " on " + minion + " did not end within " + timeout.toSeconds()
                + " s (last status: " + lastStatus + "); it may still be running on the minion");
    }
}
