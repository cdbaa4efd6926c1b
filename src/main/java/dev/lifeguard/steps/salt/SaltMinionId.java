package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.ToolValues;
import java.util.regex.Pattern;

/**
 * The minion id of an instance, from the profile's {@code minion-id} template (default
 * {@code {group}-{instanceId}}, seed 004's convention), and what Salt may be given as a target
 * or a state name. Salt reads a target as a glob and an argument starting with '-' as an
 * option, and group names may hold spaces, '*', '?' or '[' (AWS allows them): the whole
 * rendered id is checked, template text included, so that neither a group name nor a template
 * can target more than one minion.
 */
final class SaltMinionId {
    static final String DEFAULT_TEMPLATE = "{group}-{instanceId}";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    private static final String RULE = "only letters, digits, '.', '_' and '-', starting with a letter or digit,"
            + " at most 255 characters (no '*', '?', '[' or spaces)";

    private SaltMinionId() {
    }

    /** @throws dev.lifeguard.steps.PermanentStepException when the rendered id is not a safe Salt target */
    static String of(StepRequest request) {
        String id = request.render(request.config().string("minion-id", DEFAULT_TEMPLATE));
        return ToolValues.require(request.config().stepName(), "minion id", id, SAFE, "a safe Salt target", RULE);
    }

    /** @throws dev.lifeguard.steps.PermanentStepException when {@code state} is not a plain state name */
    static String stateName(StepRequest request, String state) {
        return ToolValues.require(request.config().stepName(), "state name", state, SAFE, "a plain Salt state name", RULE);
    }
}
