package dev.lifeguard.steps;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Lets steps beat as often as they like while Auto Scaling is called at most once per
 * interval: RecordLifecycleActionHeartbeat resets the hook's whole timeout, so once a minute is
 * plenty for timeouts measured in minutes, and cheap on the API's rate limits.
 */
public class ThrottledHeartbeat implements Heartbeat {
    private final Runnable call;
    private final Duration interval;
    private final Clock clock;
    private Instant next;

    public ThrottledHeartbeat(Runnable call, Duration interval, Clock clock) {
        this.call = call;
        this.interval = interval;
        this.clock = clock;
        this.next = clock.instant().plus(interval);
    }

    @Override
    public synchronized void beat() {
        Instant now = clock.instant();
        if (now.isBefore(next)) {
            return;
        }
        next = now.plus(interval);
        call.run();
    }
}
