package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.List;

/** Terminating (seed 004): apply a cleanup state ({@code state: clean} by default) to the minion. */
public class SaltState implements Step {
    private final CommandRunner commands;

    public SaltState(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public String type() {
        return "salt-state";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("salt", "minion-id", "state");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        String minion = SaltMinionId.of(request);
        String salt = request.config().string("salt", "salt");
        String state = SaltMinionId.stateName(request, request.config().string("state", "clean"));
        if (request.dryRun()) {
            return StepOutcome.skipped("would run " + salt + " " + minion + " state.sls " + state + " --out json");
        }
        Duration timeout = request.config().duration("timeout", Duration.ofMinutes(5));
        return StepOutcome.succeeded(SaltStateRun.run(commands, salt, minion, List.of("state.sls", state), timeout));
    }
}
