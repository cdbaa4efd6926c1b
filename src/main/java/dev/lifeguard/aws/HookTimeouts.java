package dev.lifeguard.aws;

import java.time.Duration;

/**
 * How long Auto Scaling keeps a lifecycle action waiting: {@code heartbeat} from the last
 * heartbeat (or the action's start), {@code global} from the action's start, whatever the
 * heartbeats.
 */
public record HookTimeouts(Duration heartbeat, Duration global) {
    /** AWS's ceiling on a global timeout: 48 hours. */
    static final Duration MOST_GLOBAL = Duration.ofHours(48);

    /** With {@code global} as Auto Scaling reports it, or, when it does not, as AWS documents it. */
    public static HookTimeouts of(Duration heartbeat, Duration global) {
        if (global != null) {
            return new HookTimeouts(heartbeat, global);
        }
        Duration hundred = heartbeat.multipliedBy(100);
        return new HookTimeouts(heartbeat, hundred.compareTo(MOST_GLOBAL) < 0 ? hundred : MOST_GLOBAL);
    }
}
