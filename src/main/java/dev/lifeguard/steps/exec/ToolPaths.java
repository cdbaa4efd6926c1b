package dev.lifeguard.steps.exec;

import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.ToolValues;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule for paths an operator gives in a profile for a program or its configuration:
 * {@code knife}, {@code config} (knife's {@code -c} file), {@code salt} and {@code salt-key}.
 * They are the operator's, not an event's: an absolute path may hold any character but NUL
 * (spaces too: {@code /srv/chef repo/knife.rb}), since it is always passed as one argument and
 * never seen by a shell. A relative path (a program looked up on the PATH, such as
 * {@code knife}) keeps to letters, digits, '_', '.', '/' and '-'. No path starts with '-',
 * which a program would read as an option.
 */
public final class ToolPaths {
    /** The profile settings that name such a path, for any step that takes them. */
    public static final Set<String> SETTINGS = Set.of("knife", "config", "salt", "salt-key");
    public static final String RULE = "an absolute path (any characters but NUL; it is passed as one argument) or a relative"
            + " one of only letters, digits, '_', '.', '/' and '-', never starting with '-'";
    private static final Pattern RELATIVE = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./-]{0,254}");

    private ToolPaths() {
    }

    /** Whether {@code path} keeps to {@link #RULE}. */
    public static boolean isValid(String path) {
        if (path == null || path.isEmpty()) {
            return false;
        }
        if (path.startsWith("/")) {
            return path.indexOf('\0') < 0;
        }
        return RELATIVE.matcher(path).matches();
    }

    /**
     * @param step    the step's name, as in the profile
     * @param setting the profile setting that gives the path ({@code config})
     * @return the path, when it keeps to {@link #RULE}
     * @throws PermanentStepException naming the step, the setting, the quoted value and the rule otherwise
     */
    public static String require(String step, String setting, String path) {
        if (!isValid(path)) {
            throw ToolValues.unsafe(step, "'" + setting + "'", path, "a usable path", RULE);
        }
        return path;
    }
}
