package dev.lifeguard.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.MisconfiguredException;
import org.junit.jupiter.api.Test;

/** LIFEGUARD_LOG_FORMAT first, then -Dlifeguard.log.format, then application.properties; else the terminal decides. */
class LogFormatTest {

    @Test
    void theEnvironmentWinsThenTheSystemPropertyThenTheFile() {
        assertEquals("text", LogFormat.configured("text", "json", "json"));
        assertEquals("json", LogFormat.configured(" JSON ", null, "text"));
        assertEquals("json", LogFormat.configured(null, "json", "text"));
        assertEquals("text", LogFormat.configured("", " ", "text"));
        assertNull(LogFormat.configured(null, null, ""), "unset: the terminal decides");
    }

    @Test
    void aFormatThatDoesNotExistIsNamedWithItsSetting() {
        MisconfiguredException e = assertThrows(MisconfiguredException.class, () -> LogFormat.configured("xml", null, null));
        assertTrue(e.getMessage().startsWith("LIFEGUARD_LOG_FORMAT must be json or text"), e.getMessage());
        e = assertThrows(MisconfiguredException.class, () -> LogFormat.configured(null, null, "yaml"));
        assertTrue(e.getMessage().contains("lifeguard.log.format in config/application.properties"), e.getMessage());
    }
}
