package dev.lifeguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and git commit this jar was built from, written into {@code version.properties} by
 * the build; a value the build could not fill in (no git, a build outside Maven) reads as
 * {@code unknown}.
 */
public final class Version {
    private static final Properties BUILT = load();

    private Version() {
    }

    public static String version() {
        return value("version");
    }

    public static String commit() {
        return value("commit");
    }

    /** {@code Lifeguard 0.1.0 (commit 1a2b3c4)}. */
    public static String describe() {
        return "Lifeguard " + version() + " (commit " + commit() + ")";
    }

    private static String value(String name) {
        String value = BUILT.getProperty(name, "").strip();
        return value.isEmpty() || value.startsWith("${") ? "unknown" : value;
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }
}
