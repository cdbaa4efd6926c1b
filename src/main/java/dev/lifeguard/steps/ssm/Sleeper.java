package dev.lifeguard.steps.ssm;

import java.time.Duration;

/**
 * How a step waits between polls. A seam rather than a direct {@code Thread.sleep}, so tests can
 * advance a fake clock instead of waiting minutes for a command that "runs" for minutes.
 */
@FunctionalInterface
public interface Sleeper {
    /** Java 17 has no {@code Thread.sleep(Duration)}; this is the real thing. */
    Sleeper THREAD = d -> Thread.sleep(Math.max(0, d.toMillis()));

    void sleep(Duration duration) throws InterruptedException;
}
