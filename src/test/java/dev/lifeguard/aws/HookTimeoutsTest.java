package dev.lifeguard.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A hook's global timeout: as Auto Scaling reports it, else AWS's rule (100 heartbeat timeouts, at most 48 hours). */
class HookTimeoutsTest {
    @Test
    void takesTheGlobalTimeoutAutoScalingReports() {
        assertEquals(Duration.ofSeconds(7200), HookTimeouts.of(Duration.ofSeconds(60), Duration.ofSeconds(7200)).global());
    }

    @Test
    void withoutOneItIsAHundredHeartbeatTimeoutsAtMost48Hours() {
        assertEquals(Duration.ofSeconds(30_000), HookTimeouts.of(Duration.ofSeconds(300), null).global());
        assertEquals(Duration.ofHours(48), HookTimeouts.of(Duration.ofSeconds(3600), null).global());
    }
}
