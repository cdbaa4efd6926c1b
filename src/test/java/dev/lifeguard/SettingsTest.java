package dev.lifeguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void missingQueuesAreNamedByTheirEnvironmentVariables() {
        MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(Map.of("lifeguard.table", "t")::get));
        assertTrue(error.getMessage().contains("LIFEGUARD_QUEUE (lifeguard.queue)"), error::getMessage);
        assertTrue(error.getMessage().contains("LIFEGUARD_DEAD_LETTER_QUEUE (lifeguard.dead-letter-queue)"), error::getMessage);
    }

    @Test
    void defaultsFollowTheDocumentedPolicy() {
        Settings settings = Settings.from(Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d", "lifeguard.table", "events")::get);
        assertEquals("ABANDON", settings.failureResult(true));
        assertEquals("CONTINUE", settings.failureResult(false));
        assertEquals(5, settings.maxAttempts());
        assertEquals(false, settings.createTable());
        assertEquals(java.time.Duration.ofDays(30), settings.retention());
    }

    @Test
    void wrongValuesNameTheSettingAndTheValue() {
        Map<String, String> base = Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d", "lifeguard.table", "events");
        for (Map.Entry<String, String> wrong : Map.of(
                "lifeguard.hook.launching.on-failure", "RETRY",
                "lifeguard.max-attempts", "0",
                "lifeguard.table.retention-days", "0",
                "lifeguard.table.create", "yes").entrySet()) {
            Map<String, String> values = new java.util.HashMap<>(base);
            values.put(wrong.getKey(), wrong.getValue());
            MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(values::get));
            assertTrue(error.getMessage().startsWith(wrong.getKey()) && error.getMessage().contains(wrong.getValue()), error::getMessage);
        }
    }
}
