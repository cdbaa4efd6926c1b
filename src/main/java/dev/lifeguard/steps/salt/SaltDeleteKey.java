package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.List;

/** Terminated (seed 004): remove the minion's key from the master; a key already gone is done. */
public class SaltDeleteKey implements Step {
    private final CommandRunner commands;

    public SaltDeleteKey(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public String type() {
        return "salt-delete-key";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("salt-key", "minion-id");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        String minion = SaltMinionId.of(request);
        String saltKey = request.config().string("salt-key", "salt-key");
        if (request.dryRun()) {
            return StepOutcome.skipped("would run " + saltKey + " -d " + minion + " -y");
        }
        CommandResult result = commands.run(List.of(saltKey, "-d", minion, "-y"), Duration.ofMinutes(2));
        // salt-key exits 0 and says so when no key matches.
        if (result.output().contains("does not match any")) {
            return StepOutcome.alreadyDone("no key for " + minion);
        }
        if (!result.succeeded()) {
            throw new IllegalStateException("salt-key -d " + minion + " failed (exit " + result.exitCode() + "): " + result.excerpt());
        }
        return StepOutcome.succeeded("key " + minion + " deleted");
    }
}
