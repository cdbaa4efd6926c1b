package dev.lifeguard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Lifeguard's own settings, read once at start-up from {@code config/application.properties}
 * and environment variables (LIFEGUARD_QUEUE overrides lifeguard.queue, and so on).
 */
public record Settings(
        String queue,
        String deadLetterQueue,
        String table,
        boolean createTable,
        boolean dryRun,
        int maxAttempts,
        int claimLeaseSeconds,
        String launchingFailureResult,
        String terminatingFailureResult,
        String profiles,
        int heartbeatSeconds,
        int stepThreads,
        int visibilitySeconds,
        int shutdownGraceSeconds,
        int consumers,
        int intakeThreads,
        int retentionDays,
        boolean metricsGroupLabel,
        boolean ssmStatusEvents,
        int ssmLookSeconds) {

    /** DynamoDB's own rule for table names. */
    private static final java.util.regex.Pattern TABLE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{3,255}");

    /** @param lookup resolves a property name to its value, or null when unset */
    public static Settings from(Function<String, String> lookup) {
        List<String> missing = new ArrayList<>();
        String queue = required(lookup, "lifeguard.queue", "LIFEGUARD_QUEUE", "the queue to consume (name or URL)", missing);
        String dlq = required(lookup, "lifeguard.dead-letter-queue", "LIFEGUARD_DEAD_LETTER_QUEUE",
                "where refused messages go (name or URL)", missing);
        String table = required(lookup, "lifeguard.table", "LIFEGUARD_TABLE", "the DynamoDB table for claims and outcomes", missing);
        if (!missing.isEmpty()) {
            throw new MisconfiguredException("Lifeguard is not configured. Set:\n  " + String.join("\n  ", missing)
                    + "\nor run local mode (see README: mvn -Plocal ...).");
        }
        return new Settings(queue, dlq, checkedTable(table),
                bool(lookup, "lifeguard.table.create"),
                bool(lookup, "lifeguard.dry-run"),
                positive(lookup, "lifeguard.max-attempts", 5),
                positive(lookup, "lifeguard.claim.lease-seconds", 300),
                hookResult(lookup, "lifeguard.hook.launching.on-failure", "ABANDON"),
                hookResult(lookup, "lifeguard.hook.terminating.on-failure", "CONTINUE"),
                text(lookup, "lifeguard.profiles", "config/profiles.yaml"),
                positive(lookup, "lifeguard.hook.heartbeat-seconds", 600),
                positive(lookup, "lifeguard.steps.threads", 16),
                positive(lookup, "lifeguard.visibility-seconds", 60),
                positive(lookup, "lifeguard.shutdown.grace-seconds", 20),
                positive(lookup, "lifeguard.consumers", 2),
                positive(lookup, "lifeguard.intake.threads", 8),
                positive(lookup, "lifeguard.table.retention-days", 30),
                bool(lookup, "lifeguard.metrics.group-label"),
                bool(lookup, "lifeguard.ssm.status-events"),
                positive(lookup, "lifeguard.ssm.look-seconds", 300));
    }

    /**
     * The table setting alone, checked, for commands that only read the table ({@code history},
     * {@code plan}) and need no queue.
     */
    public static String table(Function<String, String> lookup) {
        return checkedTable(text(lookup, "lifeguard.table", "lifeguard"));
    }

    private static String checkedTable(String table) {
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new MisconfiguredException("LIFEGUARD_TABLE (lifeguard.table) '" + table + "' is not a DynamoDB table name:"
                    + " 3 to 255 letters, digits, '_', '-' and '.'");
        }
        return table;
    }

    /** How long the table keeps a record after its last write (its {@code expiresAt}, DynamoDB TTL). */
    public java.time.Duration retention() {
        return java.time.Duration.ofDays(retentionDays);
    }

    /**
     * The port of the health and metrics endpoint ({@code lifeguard.health.port}); 0 turns it
     * off. Read before Camel starts, since Camel's management server is configured from it.
     */
    public static int healthPort(Function<String, String> lookup) {
        String value = lookup.apply("lifeguard.health.port");
        if (value == null || value.isBlank()) {
            return 9876;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new MisconfiguredException("LIFEGUARD_HEALTH_PORT (lifeguard.health.port) must be a port number, or 0 to turn"
                + " the health and metrics endpoint off, not '" + value + "'");
    }

    /** The result to complete a hook with when its steps have failed for the last time. */
    public String failureResult(boolean launching) {
        return launching ? launchingFailureResult : terminatingFailureResult;
    }

    private static String required(Function<String, String> lookup, String key, String env, String meaning, List<String> missing) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            missing.add(env + " (" + key + "): " + meaning);
            return null;
        }
        return value.trim();
    }

    private static String text(Function<String, String> lookup, String key, String fallback) {
        String value = lookup.apply(key);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static boolean bool(Function<String, String> lookup, String key) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            return false;
        }
        if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
            throw new MisconfiguredException(key + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value.trim());
    }

    private static int positive(Function<String, String> lookup, String key, int fallback) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new MisconfiguredException(key + " must be a positive whole number, not '" + value + "'");
    }

    private static String hookResult(Function<String, String> lookup, String key, String fallback) {
        String value = lookup.apply(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String result = value.trim().toUpperCase();
        if (!result.equals("CONTINUE") && !result.equals("ABANDON")) {
            throw new MisconfiguredException(key + " must be CONTINUE or ABANDON, not '" + value + "'");
        }
        return result;
    }
}
