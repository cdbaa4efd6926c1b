package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.List;

/**
 * Launching (seed 004): accept the new minion's key on the master, then, unless the profile
 * says the bootstrap does it, apply the highstate. The hook completes only when both worked.
 */
public class SaltAcceptKey implements Step {
    private final CommandRunner commands;

    public SaltAcceptKey(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public String type() {
        return "salt-accept";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("salt-key", "salt", "minion-id", "highstate");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        String minion = SaltMinionId.of(request);
        String saltKey = request.config().string("salt-key", "salt-key");
        String salt = request.config().string("salt", "salt");
        boolean highstate = request.config().bool("highstate", true);
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
}
