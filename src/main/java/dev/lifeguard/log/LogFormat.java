package dev.lifeguard.log;

import dev.lifeguard.MisconfiguredException;
import java.io.Console;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * Chooses the log format once, before the first logger exists: {@code json} (one JSON object a
 * line, for a log collector) or {@code text} (for a person at a terminal). log4j2.xml picks its
 * appender from the system property {@value #PROPERTY} set here.
 *
 * <p>{@code LIFEGUARD_LOG_FORMAT} wins, then {@code -Dlifeguard.log.format}, then
 * {@code lifeguard.log.format} in config/application.properties; when none is set, text when the
 * process runs in a terminal, JSON otherwise.
 */
public final class LogFormat {
    public static final String PROPERTY = "lifeguard.log.format";
    public static final String ENVIRONMENT = "LIFEGUARD_LOG_FORMAT";
    public static final String JSON = "json";
    public static final String TEXT = "text";

    private LogFormat() {
    }

    /**
     * Sets {@value #PROPERTY} for log4j2.xml; call before anything logs.
     *
     * @param whenUnset the format when no setting names one: {@code null} to decide by the terminal
     * @return the format chosen
     * @throws MisconfiguredException when a setting names a format that does not exist
     */
    public static String select(Path applicationProperties, String whenUnset) {
        String configured = configured(System.getenv(ENVIRONMENT), System.getProperty(PROPERTY), fromFile(applicationProperties));
        String format = configured != null ? configured : whenUnset != null ? whenUnset : terminal() ? TEXT : JSON;
        System.setProperty(PROPERTY, format);
        return format;
    }

    /**
     * The format the settings name, the first set of: environment variable, system property,
     * properties file; null when none is.
     */
    static String configured(String environment, String systemProperty, String file) {
        for (String[] setting : new String[][] {{environment, ENVIRONMENT}, {systemProperty, "-D" + PROPERTY},
                {file, PROPERTY + " in config/application.properties"}}) {
            if (setting[0] == null || setting[0].isBlank()) {
                continue;
            }
            String format = setting[0].trim().toLowerCase(Locale.ROOT);
            if (!format.equals(JSON) && !format.equals(TEXT)) {
                throw new MisconfiguredException(setting[1] + " must be json or text, not '" + setting[0] + "'");
            }
            return format;
        }
        return null;
    }

    private static String fromFile(Path file) {
        if (file == null || !Files.isReadable(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            return null; // Camel reads the same file next and names the problem
        }
        return properties.getProperty(PROPERTY);
    }

    /**
     * Whether standard input and output are a terminal. From Java 22 on, {@link System#console()}
     * answers even when they are not, and {@code Console.isTerminal()} tells.
     */
    private static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22, a console exists only on a terminal
        }
    }
}
