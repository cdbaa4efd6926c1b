package dev.lifeguard.steps;

/**
 * Keeps a lifecycle hook from timing out while a long step runs. Steps call {@link #beat()}
 * as often as they like; the implementation decides how often Auto Scaling is actually called.
 */
@FunctionalInterface
public interface Heartbeat {
    Heartbeat NONE = () -> { };

    void beat();
}
