package dev.lifeguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.HookResult;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static final Map<String, String> REQUIRED = Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d",
            "lifeguard.table", "events");

    @Test
    void missingQueuesAreNamedByTheirEnvironmentVariables() {
        MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(Map.of("lifeguard.table", "t")::get));
        assertTrue(error.getMessage().contains("LIFEGUARD_QUEUE (lifeguard.queue)"), error::getMessage);
        assertTrue(error.getMessage().contains("LIFEGUARD_DEAD_LETTER_QUEUE (lifeguard.dead-letter-queue)"), error::getMessage);
    }

    @Test
    void defaultsFollowTheDocumentedPolicy() {
        Settings settings = Settings.from(REQUIRED::get);
        assertEquals(HookResult.ABANDON, settings.launchingFailureResult());
        assertEquals(HookResult.CONTINUE, settings.terminatingFailureResult());
        assertEquals(5, settings.maxAttempts());
        assertEquals(false, settings.createTable());
        assertEquals(java.time.Duration.ofDays(30), settings.retention());
        assertEquals(20, settings.pollWaitSeconds());
        assertEquals(10, settings.pollMaxMessages());
    }

    /** A default the declaration's own type refuses would stop every start-up that leaves it unset. */
    @Test
    void everyDeclaredDefaultIsAValueOfItsType() {
        for (Setting<?> setting : Settings.ALL) {
            Object value = setting.read(name -> null);
            assertEquals(setting.defaultValue().isEmpty(), value == null, setting.name());
        }
    }

    @Test
    void everySettingIsDeclaredOnceUnderItsOwnEnvironmentVariable() {
        Set<String> variables = new HashSet<>();
        for (Setting<?> setting : Settings.ALL) {
            assertTrue(variables.add(setting.environmentVariable()), setting.name() + " shares its environment variable");
            assertTrue(setting.environmentVariable().matches("LIFEGUARD_[A-Z0-9_]+"), setting.environmentVariable());
        }
        assertEquals("LIFEGUARD_POLL_WAIT_SECONDS", Settings.POLL_WAIT_SECONDS.environmentVariable());
        assertEquals("LIFEGUARD_HOOK_LAUNCHING_ON_FAILURE", Settings.LAUNCHING_ON_FAILURE.environmentVariable());
    }

    @Test
    void valuesAreTrimmedAndHookResultsTakenInAnyCase() {
        Map<String, String> values = new HashMap<>(REQUIRED);
        values.put("lifeguard.hook.terminating.on-failure", " abandon ");
        values.put("lifeguard.poll.wait-seconds", " 0 ");
        values.put("lifeguard.poll.max-messages", "1");
        Settings settings = Settings.from(values::get);
        assertEquals(HookResult.ABANDON, settings.terminatingFailureResult());
        assertEquals(0, settings.pollWaitSeconds());
        assertEquals(1, settings.pollMaxMessages());
        // The intake route reads the checked values, not the raw ones.
        assertEquals("0", settings.routeProperties().get("lifeguard.poll.wait-seconds"));
        assertEquals("1", settings.routeProperties().get("lifeguard.poll.max-messages"));
    }

    @Test
    void wrongValuesNameTheSettingAndTheValue() {
        for (Map.Entry<String, String> wrong : Map.of(
                "lifeguard.hook.launching.on-failure", "RETRY",
                "lifeguard.hook.terminating.on-failure", "NOT_ACTIVE",
                "lifeguard.max-attempts", "0",
                "lifeguard.table.retention-days", "0",
                "lifeguard.poll.wait-seconds", "21",
                "lifeguard.poll.max-messages", "0",
                "lifeguard.table.create", "yes").entrySet()) {
            Map<String, String> values = new HashMap<>(REQUIRED);
            values.put(wrong.getKey(), wrong.getValue());
            MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(values::get), wrong::getKey);
            assertTrue(error.getMessage().startsWith(wrong.getKey()) && error.getMessage().contains(wrong.getValue()), error::getMessage);
        }
    }

    @Test
    void theHealthPortAndTheTableAreCheckedWhereTheyAreReadAlone() {
        assertEquals(9876, Settings.healthPort(name -> null));
        assertEquals(0, Settings.healthPort(Map.of("lifeguard.health.port", "0")::get));
        MisconfiguredException port = assertThrows(MisconfiguredException.class,
                () -> Settings.healthPort(Map.of("lifeguard.health.port", "65536")::get));
        assertTrue(port.getMessage().startsWith("LIFEGUARD_HEALTH_PORT (lifeguard.health.port) must be a port number"), port::getMessage);
        assertEquals("lifeguard", Settings.table(name -> null));
        MisconfiguredException table = assertThrows(MisconfiguredException.class,
                () -> Settings.table(Map.of("lifeguard.table", "my table")::get));
        assertTrue(table.getMessage().startsWith("LIFEGUARD_TABLE (lifeguard.table) 'my table' is not a DynamoDB table name"),
                table::getMessage);
    }
}
