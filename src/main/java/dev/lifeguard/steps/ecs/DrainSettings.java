package dev.lifeguard.steps.ecs;

import dev.lifeguard.steps.StepConfig;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An ecs-drain step's settings, read and checked once: the clusters to look in, how long to wait
 * and how often to look, and what to do about tasks no service started.
 *
 * @param clusters        names or ARNs, looked in in this order (an EC2 instance belongs to one cluster at a time)
 * @param standaloneTasks whether tasks not started by a service are waited for
 */
record DrainSettings(List<String> clusters, Duration timeout, Duration pollInterval, Standalone standaloneTasks) {

    /** ECS's own rule for a cluster name, or a cluster's ARN. */
    private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9_-]{1,255}"
            + "|arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}");

    /** Tasks on the instance that no service started: a service moves its own, nobody moves these. */
    enum Standalone {
        /**
         * Wait for them to end, as ECS's own managed draining does: such a task is often a job
         * that would be cut off, and the step's timeout bounds the wait.
         */
        WAIT,
        /** Name them in the outcome and let the instance go with them. */
        LEAVE;

        static Standalone of(String step, String value) {
            for (Standalone s : values()) {
                if (s.name().equalsIgnoreCase(value)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("step " + step + ": 'standalone-tasks' must be wait or leave, not '" + value + "'");
        }
    }

    static DrainSettings of(StepConfig config) {
        String step = config.stepName();
        List<String> clusters = config.strings("cluster");
        if (clusters.isEmpty()) {
            throw new IllegalArgumentException("step " + step + ": 'cluster' is required (a cluster name or ARN, or a list of them)");
        }
        for (String cluster : clusters) {
            if (!CLUSTER.matcher(cluster).matches()) {
                throw new IllegalArgumentException("step " + step + ": 'cluster' " + cluster + " is not an ECS cluster name"
                        + " (1 to 255 letters, digits, '-' and '_') or a cluster ARN");
            }
        }
        return new DrainSettings(List.copyOf(clusters),
                config.positiveDuration("timeout", Duration.ofMinutes(5)),
                config.positiveDuration("poll-interval", Duration.ofSeconds(10)),
                Standalone.of(step, config.string("standalone-tasks", Standalone.WAIT.name())));
    }
}
