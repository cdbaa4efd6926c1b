package dev.lifeguard.steps;

import dev.lifeguard.event.Identifiers;
import java.util.regex.Pattern;

/**
 * The check a step makes on a value it is about to hand to a tool. Intake checks identifiers
 * only against AWS's patterns, so safety for a tool is decided here, where the value is used:
 * a value the tool would misread fails the step permanently, naming the step, the value and
 * the rule, because no retry can change it.
 */
public final class ToolValues {
    private ToolValues() {
    }

    /**
     * @param step     the step's name, as in the profile
     * @param what     what the value is ("minion id")
     * @param expected what it must be ("a safe Salt target")
     * @param rule     the rule, in words
     * @return the value, when it matches {@code pattern} in full
     * @throws PermanentStepException otherwise
     */
    public static String require(String step, String what, String value, Pattern pattern, String expected, String rule) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw unsafe(step, what, value, expected, rule);
        }
        return value;
    }

    /** The failure {@link #require} throws, for checks a pattern cannot express. */
    public static PermanentStepException unsafe(String step, String what, String value, String expected, String rule) {
        return new PermanentStepException(step + ": " + what + " " + Identifiers.quote(value) + " is not " + expected + ": " + rule);
    }
}
