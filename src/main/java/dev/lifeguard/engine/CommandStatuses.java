package dev.lifeguard.engine;

import dev.lifeguard.event.CommandStatus;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.CommandWaits;
import dev.lifeguard.store.OutcomeRecorder;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes SSM's status events to the waits they may end (routes/command-status.camel.yaml). An
 * event never ends a step by itself: it makes the wait look at the command now, and the look
 * (GetCommandInvocation) decides, so a forged or stale status changes nothing but the time of
 * one look. A wait parked on this replica is found in memory; one held by another replica through
 * the command's {@link CommandWaits} item, and noted on its claim for the holder's next renewal.
 */
public final class CommandStatuses {
    private static final Logger LOG = LoggerFactory.getLogger(CommandStatuses.class);

    /** What became of a status event. */
    public enum Outcome {
        /** The wait is parked here and is being looked at now. */
        LOOKED_AT,
        /** The wait is held by another replica: noted on its claim, looked at when that replica renews its lease. */
        NOTED,
        /** A status on the way to an end (Pending, InProgress, …): nothing to look at yet. */
        UNDER_WAY,
        /** Lifeguard waits on this command no longer: its event ended already. */
        ENDED_ALREADY,
        /** No claim waits on this command: another tool's, recorded as ignored. */
        IGNORED;

        /** The metric label and log word: {@code looked-at}, {@code ignored}, … */
        public String label() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    private final StepRuns runs;
    private final CommandWaits waits;
    private final Claims claims;
    private final OutcomeRecorder outcomes;
    private final boolean on;

    CommandStatuses(StepRuns runs, CommandWaits waits, Claims claims, OutcomeRecorder outcomes, boolean on) {
        this.runs = runs;
        this.waits = waits;
        this.claims = claims;
        this.outcomes = outcomes;
        this.on = on;
    }

    public Outcome arrived(CommandStatus status) {
        if (!status.mayHaveEnded()) {
            return Outcome.UNDER_WAY;
        }
        if (runs.lookNow(status.commandId(), status.instanceId())) {
            return Outcome.LOOKED_AT;
        }
        Optional<CommandWaits.Wait> wait = on ? waits.find(status.commandId(), status.instanceId()) : Optional.empty();
        if (wait.isPresent()) {
            if (claims.notePushed(wait.get().claimKey(), wait.get().step())) {
                return Outcome.NOTED;
            }
            return Outcome.ENDED_ALREADY;
        }
        if (!on) {
            LOG.debug("{}: no wait here, and lifeguard.ssm.status-events is off, so other replicas' waits are not recorded",
                    status.describe());
        }
        outcomes.ignored(status);
        return Outcome.IGNORED;
    }
}
