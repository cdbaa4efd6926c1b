package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepRequest;
import java.util.regex.Pattern;

/**
 * The minion id of an instance, from the profile's {@code minion-id} template (default
 * {@code {group}-{instanceId}}, seed 004's convention). Salt treats targets as globs, so the
 * pattern admits no glob characters: a crafted group name cannot target every minion.
 */
final class SaltMinionId {
    static final String DEFAULT_TEMPLATE = "{group}-{instanceId}";
    private static final Pattern MINION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private SaltMinionId() {
    }

    static String of(StepRequest request) {
        String id = request.render(request.config().string("minion-id", DEFAULT_TEMPLATE));
        if (!MINION_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("minion id '" + id + "' is not letters, digits, '.', '_' and '-'");
        }
        return id;
    }
}
