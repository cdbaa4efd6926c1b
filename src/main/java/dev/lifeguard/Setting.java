package dev.lifeguard;

import java.util.Locale;
import java.util.function.Function;

/**
 * One of Lifeguard's settings, declared once: its name, how its value is read (the type), its
 * default and what it means. {@link Settings#ALL} lists them; the service reads them through
 * {@link #read}, and {@code ConfigurationDocsTest} holds config/application.properties and the
 * README's settings table to these declarations, so a default or a description cannot drift.
 *
 * @param name        the property, {@code lifeguard.…}
 * @param type        reads a value, or refuses it with a {@link MisconfiguredException} naming the setting
 * @param defaultValue the value in config/application.properties, and the one used when the setting
 *                    is not set at all; empty for none
 * @param unset       what an empty default means, for the README (a required setting, a default
 *                    chosen at run time); null when the default is a value
 * @param description what it does, one text for the properties file and the README; Markdown
 *                    code spans and links to README sections are allowed (see {@link #plainDescription})
 */
public record Setting<T>(String name, Type<T> type, String defaultValue, String unset, String description) {
    /** What the README shows for the default of a setting the service cannot start without. */
    private static final String REQUIRED = "(required)";

    /** Reads one value (already trimmed, never blank) of a setting. */
    @FunctionalInterface
    public interface Type<T> {
        T parse(Setting<T> setting, String value);
    }

    /** A setting without which the service does not start. */
    public static <T> Setting<T> required(String name, Type<T> type, String description) {
        return new Setting<>(name, type, "", REQUIRED, description);
    }

    /** A setting with a default value. */
    public static <T> Setting<T> of(String name, Type<T> type, String defaultValue, String description) {
        return new Setting<>(name, type, defaultValue, null, description);
    }

    public boolean isRequired() {
        return defaultValue.isEmpty() && REQUIRED.equals(unset);
    }

    /**
     * The value: the one the lookup finds, else the default; null when neither is set (a required
     * setting missing). Environment variables reach the lookup already: Camel's properties and
     * the commands' settings both ask for {@link #environmentVariable()} first.
     */
    public T read(Function<String, String> lookup) {
        String value = lookup.apply(name);
        if (value == null || value.isBlank()) {
            value = defaultValue;
        }
        return value.isBlank() ? null : type.parse(this, value.trim());
    }

    /** {@code LIFEGUARD_POLL_WAIT_SECONDS} for {@code lifeguard.poll.wait-seconds}: how an ECS task sets it. */
    public String environmentVariable() {
        return environmentVariable(name);
    }

    /** The environment variable for a property: upper case, {@code .} and {@code -} become {@code _} (Camel's own rule). */
    public static String environmentVariable(String property) {
        return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** How errors name it: {@code LIFEGUARD_QUEUE (lifeguard.queue)}, both ways an operator may have set it. */
    public String label() {
        return environmentVariable() + " (" + name + ")";
    }

    /**
     * The description as the comment above the setting in config/application.properties says it:
     * without Markdown (code spans lose their backticks; a link to a README section names it).
     */
    public String plainDescription() {
        return description.replaceAll("\\[([^\\]]+)]\\(#[^)]+\\)", "$1 in the README").replace("`", "")
                + (isRequired() ? " Required." : "");
    }

    /** Its row in the README's settings table. */
    public String readmeRow() {
        String shown = unset != null ? unset : "`" + defaultValue + "`";
        return "| `" + name + "` | `" + environmentVariable() + "` | " + shown + " | " + description + " |";
    }

    /** Text, as it is. */
    public static final Type<String> TEXT = (setting, value) -> value;

    /** {@code true} or {@code false}, nothing else. */
    public static final Type<Boolean> FLAG = (setting, value) -> {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new MisconfiguredException(setting.name() + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    };

    /** A whole number above zero. */
    public static final Type<Integer> POSITIVE = (setting, value) -> {
        Integer parsed = wholeNumber(value);
        if (parsed == null || parsed <= 0) {
            throw new MisconfiguredException(setting.name() + " must be a positive whole number, not '" + value + "'");
        }
        return parsed;
    };

    /** A whole number from {@code min} to {@code max}, both included. */
    public static Type<Integer> between(int min, int max) {
        return (setting, value) -> {
            Integer parsed = wholeNumber(value);
            if (parsed == null || parsed < min || parsed > max) {
                throw new MisconfiguredException(setting.name() + " must be a whole number from " + min + " to " + max
                        + ", not '" + value + "'");
            }
            return parsed;
        };
    }

    private static Integer wholeNumber(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
