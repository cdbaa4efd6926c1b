package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Terminating (seed 004): apply a cleanup state ({@code state: clean} by default) to the minion.
 * Locally, {@code salt ID state.sls STATE}; with {@code transport: api}, a {@code local_async}
 * {@code state.sls} whose job id is recorded and the step parked, then {@code GET /jobs/JID}
 * every {@code poll-interval} until the minion returns (see {@link SaltWaits}).
 */
public class SaltState implements WaitingStep {
    private final CommandRunner commands;
    private final SaltApi api;

    public SaltState(CommandRunner commands) {
        this(commands, null);
    }

    public SaltState(CommandRunner commands, SaltApi api) {
        this.commands = commands;
        this.api = api;
    }

    @Override
    public String type() {
        return "salt-state";
    }

    @Override
    public Set<String> settings() {
        Set<String> settings = new HashSet<>(Set.of("salt", "minion-id", "state", "poll-interval"));
        settings.addAll(SaltApi.SETTINGS);
        return Set.copyOf(settings);
    }

    @Override
    public StepOutcome run(StepRequest request) throws Exception {
        String minion = SaltMinionId.of(request);
        String state = SaltMinionId.stateName(request, request.config().string("state", "clean"));
        if (SaltApi.chosen(request)) {
            SaltApi.Endpoint endpoint = SaltApi.Endpoint.of(request);
            SaltWaits.pollInterval(request.config());
            if (request.dryRun()) {
                return StepOutcome.skipped("would ask " + endpoint.describe() + " to run state.sls " + state + " on " + minion
                        + " (local_async, tgt_type list) and wait for its job");
            }
            return SaltWaits.await(this, request, start(request));
        }
        String salt = request.config().string("salt", "salt");
        if (request.dryRun()) {
            return StepOutcome.skipped("would run " + salt + " " + minion + " state.sls " + state + " --out json");
        }
        Duration timeout = request.config().duration("timeout", Duration.ofMinutes(5));
        return StepOutcome.succeeded(SaltStateRun.run(commands, salt, minion, List.of("state.sls", state), timeout));
    }

    /** Only salt-api's jobs are parked; with the local tools the step holds its thread while salt runs, as any tool step does. */
    @Override
    public boolean waits(StepRequest request) {
        return SaltApi.waits(request);
    }

    /** Starts the state with salt-api; returns its job id. Only called when {@link #waits} says so. */
    @Override
    public String start(StepRequest request) throws Exception {
        String minion = SaltMinionId.of(request);
        String state = SaltMinionId.stateName(request, request.config().string("state", "clean"));
        SaltApi.Endpoint endpoint = SaltApi.Endpoint.of(request);
        return SaltApiCalls.startState(SaltSteps.api(api, request), endpoint, minion, "state.sls", List.of(state));
    }

    @Override
    public StepOutcome check(StepRequest request, String handle) throws Exception {
        StepOutcome done = SaltWaits.outcome(handle);
        return done != null ? done : SaltSteps.look(api, request, SaltMinionId.of(request), handle);
    }

    @Override
    public Duration checkEvery(StepRequest request) {
        return SaltWaits.pollInterval(request.config());
    }

    @Override
    public Exception timedOut(StepRequest request, String handle, String lastStatus) {
        return SaltWaits.timedOut(request, SaltMinionId.of(request), handle, lastStatus);
    }
}
