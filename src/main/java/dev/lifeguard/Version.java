package dev.lifeguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The version and git commit this jar was built from: {@code version.properties}, filled in by the
 * build, and {@code commit.txt}, written by git during the build (or by the Dockerfile). What the
 * build could not fill in (no git, a build outside Maven) reads as {@code unknown}.
 */
public final class Version {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{7,40}");
    private static final String VERSION = version(read("version.properties"));
    private static final String COMMIT_ID = commit(read("commit.txt"));

    private Version() {
    }

    public static String version() {
        return VERSION;
    }

    public static String commit() {
        return COMMIT_ID;
    }

    /** {@code Lifeguard 0.1.0 (commit 1a2b3c4d5e6f)}. */
    public static String describe() {
        return "Lifeguard " + version() + " (commit " + commit() + ")";
    }

    private static String version(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String value = properties.getProperty("version", "").strip();
        return value.isEmpty() || value.startsWith("${") ? "unknown" : value;
    }

    /** git's answer, or its complaint when there was no repository: only a commit id counts. */
    private static String commit(String text) {
        String value = text.strip();
        return COMMIT.matcher(value).matches() ? value : "unknown";
    }

    private static String read(String resource) {
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
