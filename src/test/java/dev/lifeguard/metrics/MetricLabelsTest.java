package dev.lifeguard.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The group, account and region labels: on only when asked for, each making its own series. */
class MetricLabelsTest {
    private static final AccountRegion WEST = new AccountRegion("222222222222", "us-west-2");

    @Test
    void byDefaultEventsAndCompletionsCarryNeitherGroupNorPlace() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LifeguardMetrics metrics = new LifeguardMetrics(registry, false, false);
        metrics.eventEnded(Kind.TERMINATING, Outcome.SUCCEEDED, "web", WEST);
        metrics.hookCompleted(HookResult.CONTINUE, "web", WEST);
        assertEquals(1.0, registry.get("lifeguard.events").tags("kind", "TERMINATING", "result", "SUCCEEDED").counter().count());
        assertNull(registry.find("lifeguard.events").tagKeys("account").counter());
        assertNull(registry.find("lifeguard.completions").tagKeys("region").counter());
    }

    @Test
    void withTheAccountLabelEachAccountAndRegionIsItsOwnSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LifeguardMetrics metrics = new LifeguardMetrics(registry, true, true);
        metrics.eventEnded(Kind.TERMINATING, Outcome.SUCCEEDED, "web", WEST);
        metrics.eventEnded(Kind.TERMINATING, Outcome.SUCCEEDED, "web", AccountRegion.UNSAID);
        metrics.hookCompleted(HookResult.CONTINUE, "web", WEST);
        assertEquals(1.0, registry.get("lifeguard.events").tags("group", "web", "account", "222222222222", "region", "us-west-2")
                .counter().count());
        assertEquals(1.0, registry.get("lifeguard.events").tags("account", "unknown", "region", "unknown").counter().count());
        assertNotNull(registry.find("lifeguard.completions").tags("account", "222222222222", "region", "us-west-2").counter());
    }
}
