package dev.lifeguard;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Start-up mistakes an operator makes, turned into one line naming what to fix: the service
 * started outside its directory, no AWS region, no credentials. Each stops start-up with exit
 * status 2, like every other {@link MisconfiguredException}.
 */
public final class StartupChecks {
    private static volatile boolean training;

    private StartupChecks() {
    }

    /**
     * The class-archive training run ({@code Lifeguard --cds-training}): a start-up call that
     * cannot reach AWS is let pass, so that the service starts against endpoints nobody answers.
     * A missing region or missing credentials still stop it.
     */
    static void trainingRun() {
        training = true;
    }

    /**
     * Where routes/ and config/ are: {@code LIFEGUARD_HOME}, else the working directory. Exits
     * with status 2 and one line naming the fix when either is missing there.
     */
    static Path home() {
        String set = System.getenv("LIFEGUARD_HOME");
        Path home = set == null || set.isBlank() ? Path.of("") : Path.of(set.trim());
        for (Path needed : new Path[] {Path.of("config", "application.properties"), Path.of("routes")}) {
            if (!Files.exists(home.resolve(needed))) {
                System.err.println("lifeguard: " + needed + " not found in " + home.toAbsolutePath() + ": set LIFEGUARD_HOME to the"
                        + " directory that holds routes/ and config/ (the repository root, or /opt/lifeguard in the container),"
                        + " or start Lifeguard there");
                System.exit(2);
            }
        }
        return home;
    }

    /**
     * What an exception that stopped start-up says an operator must fix, in one line; null when
     * it is not a start-up mistake (then it is a bug, and its stack trace is wanted).
     */
    public static String explain(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof MisconfiguredException) {
                return t.getMessage();
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Error pre-parsing resource") || message.contains("Cannot load resource")
                    || message.startsWith("Failed to load routes")) {
                return "route file " + message.replaceFirst(".*resource: ", "") + " does not parse: " + yamlProblem(t);
            }
        }
        return null;
    }

    /** The YAML parser's own words without the quoted source and caret lines: what, where (file, line, column). */
    private static String yamlProblem(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        StringBuilder out = new StringBuilder();
        for (String line : String.valueOf(root.getMessage()).split("\\R")) {
            if (line.isBlank() || line.startsWith("    ")) {
                continue;
            }
            out.append(out.length() == 0 ? "" : " ").append(line.strip());
        }
        return out.toString();
    }

    /**
     * Runs a start-up call to AWS, turning the SDK's "no region" and "no credentials" into
     * messages that name the settings.
     */
    public static <T> T aws(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkClientException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("Unable to load region")) {
                throw new MisconfiguredException("no AWS region: set AWS_REGION (for example eu-west-1)", e);
            }
            if (message.contains("Unable to load credentials")) {
                throw new MisconfiguredException("no AWS credentials: give the ECS task a role, or set AWS_ACCESS_KEY_ID and"
                        + " AWS_SECRET_ACCESS_KEY, or AWS_PROFILE", e);
            }
            if (training) {
                System.err.println("lifeguard: training run: " + e.getClass().getSimpleName() + " at start-up, going on");
                return null;
            }
            throw e;
        }
    }
}
