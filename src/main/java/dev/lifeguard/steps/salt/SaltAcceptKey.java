package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Launching (seed 004): accept the new minion's key on the master, then, unless the profile
 * says the bootstrap does it, apply the highstate. The hook completes only when both worked.
 * With {@code transport: api}: wheel {@code key.name_match} and {@code key.accept_dict}, then a
 * {@code local_async} {@code state.apply} whose job is waited on parked, as {@link SaltState}'s.
 */
public class SaltAcceptKey implements WaitingStep {
    private final CommandRunner commands;
    private final SaltApi api;

    public SaltAcceptKey(CommandRunner commands) {
        this(commands, null);
    }

    public SaltAcceptKey(CommandRunner commands, SaltApi api) {
        this.commands = commands;
        this.api = api;
    }

    @Override
    public String type() {
        return "salt-accept";
    }

    @Override
    public Set<String> settings() {
        Set<String> settings = new HashSet<>(Set.of("salt-key", "salt", "minion-id", "highstate", "poll-interval"));
        settings.addAll(SaltApi.SETTINGS);
        return Set.copyOf(settings);
    }

    @Override
    public StepOutcome run(StepRequest request) throws Exception {
        String minion = SaltMinionId.of(request);
        boolean highstate = request.config().bool("highstate", true);
        if (SaltApi.chosen(request)) {
            SaltApi.Endpoint endpoint = SaltApi.Endpoint.of(request);
            SaltWaits.pollInterval(request.config());
            if (request.dryRun()) {
                return StepOutcome.skipped("would ask " + endpoint.describe() + " to accept the key of " + minion
                        + " (wheel key.name_match, key.accept_dict)"
                        + (highstate ? " then run state.apply on it (local_async, tgt_type list) and wait for its job" : ""));
            }
            return SaltWaits.await(this, request, start(request));
        }
        String saltKey = request.config().string("salt-key", "salt-key");
        String salt = request.config().string("salt", "salt");
        Duration timeout = request.config().duration("timeout", Duration.ofMinutes(5));
        if (request.dryRun()) {
            return StepOutcome.skipped("would run " + saltKey + " -a " + minion + " -y"
                    + (highstate ? " then " + salt + " " + minion + " state.highstate --out json" : ""));
        }
        CommandResult accepted = commands.run(List.of(saltKey, "-a", minion, "-y"), Duration.ofMinutes(2));
        if (!accepted.succeeded()) {
            throw new IllegalStateException("salt-key -a " + minion + " failed (exit " + accepted.exitCode() + "): " + accepted.excerpt());
        }
        if (!highstate) {
            return StepOutcome.succeeded("key " + minion + " accepted");
        }
        return StepOutcome.succeeded("key " + minion + " accepted; "
                + SaltStateRun.run(commands, salt, minion, List.of("state.highstate"), timeout));
    }

    /** Only salt-api's jobs are parked; with the local tools the step holds its thread while salt runs, as any tool step does. */
    @Override
    public boolean waits(StepRequest request) {
        return SaltApi.waits(request);
    }

    /** Accepts the key and starts the highstate with salt-api; returns its job id (or, without a highstate, the outcome). */
    @Override
    public String start(StepRequest request) throws Exception {
        String minion = SaltMinionId.of(request);
        boolean highstate = request.config().bool("highstate", true);
        SaltApi.Endpoint endpoint = SaltApi.Endpoint.of(request);
        SaltApi client = SaltSteps.api(api, request);
        StepOutcome accepted = SaltApiCalls.acceptKey(client, endpoint, minion);
        if (!highstate) {
            return SaltWaits.done(accepted);
        }
        return SaltApiCalls.startState(client, endpoint, minion, "state.apply", List.of());
    }

    @Override
    public StepOutcome check(StepRequest request, String handle) throws Exception {
        StepOutcome done = SaltWaits.outcome(handle);
        if (done != null) {
            return done;
        }
        String minion = SaltMinionId.of(request);
        StepOutcome applied = SaltSteps.look(api, request, minion, handle);
        return applied == null ? null : StepOutcome.succeeded("key " + minion + " accepted; " + applied.detail());
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
