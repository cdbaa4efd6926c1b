package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Terminated (seed 004): remove the minion's key from the master; a key already gone is done.
 * With {@code transport: api}, through salt-api's wheel client: {@code key.name_match}, then
 * {@code key.delete_dict} of that one id.
 */
public class SaltDeleteKey implements Step {
    private final CommandRunner commands;
    private final SaltApi api;

    public SaltDeleteKey(CommandRunner commands) {
        this(commands, null);
    }

    public SaltDeleteKey(CommandRunner commands, SaltApi api) {
        this.commands = commands;
        this.api = api;
    }

    @Override
    public String type() {
        return "salt-delete-key";
    }

    @Override
    public Set<String> settings() {
        Set<String> settings = new HashSet<>(Set.of("salt-key", "minion-id"));
        settings.addAll(SaltApi.SETTINGS);
        return Set.copyOf(settings);
    }

    @Override
    public StepOutcome run(StepRequest request) throws InterruptedException {
        String minion = SaltMinionId.of(request);
        if (SaltApi.chosen(request)) {
            SaltApi.Endpoint endpoint = SaltApi.Endpoint.of(request);
            if (request.dryRun()) {
                return StepOutcome.skipped("would ask " + endpoint.describe() + " to delete the key of " + minion
                        + " (wheel key.name_match, key.delete_dict)");
            }
            return SaltApiCalls.deleteKey(SaltSteps.api(api, request), endpoint, minion);
        }
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
