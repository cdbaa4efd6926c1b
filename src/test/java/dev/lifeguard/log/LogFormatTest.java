package dev.lifeguard.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.MisconfiguredException;
import dev.lifeguard.event.LifecycleEvent;
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

    /** The text format's own pattern (log4j2.xml): CR and LF in a message are written as \\r and \\n. */
    @Test
    void aGroupNameInATextLogLineCannotStartALineOfItsOwn() {
        String group = "web\r\nFAKE LOG LINE";
        String line = TextLogs.line("Could not learn the heartbeat timeout of hook {} of group {}", "drain", group);
        assertEquals(1, line.split("\n", -1).length - 1, () -> "one line: " + line);
        assertTrue(line.endsWith(" - Could not learn the heartbeat timeout of hook drain of group web\\r\\nFAKE LOG LINE\n"), line);
        assertFalse(line.contains("\r"), line);
    }

    @Test
    void anExceptionsStackTraceStillFollowsItsLine() {
        String text = TextLogs.withException(new IllegalStateException("a bug"), "Step {} failed", "drain");
        assertTrue(text.contains(" - Step drain failed\njava.lang.IllegalStateException: a bug\n\tat "), text);
    }

    @Test
    void anEventsDescriptionEscapesItsValuesAndTheTextFormatLeavesTheEscapesAlone() {
        LifecycleEvent event = Fixtures.parse(Fixtures.read("hook-launching.json"));
        LifecycleEvent hostile = new LifecycleEvent(event.kind(), event.eventName(), event.envelope(), "web\r\nFAKE LOG LINE\t\u0007",
                event.instanceId(), event.hookName(), event.actionToken(), null, event.requestId(), event.messageId(), event.time(),
                null, null, null, null, null);
        String line = TextLogs.line("Took over {} from a worker whose lease ran out", hostile.describe());
        assertTrue(line.contains(" group=\"web\\r\\nFAKE LOG LINE\\t\\u0007\" instance="), line);
        assertEquals(1, line.split("\n", -1).length - 1, () -> "one line: " + line);
    }

    @Test
    void aFormatThatDoesNotExistIsNamedWithItsSetting() {
        MisconfiguredException e = assertThrows(MisconfiguredException.class, () -> LogFormat.configured("xml", null, null));
        assertTrue(e.getMessage().startsWith("LIFEGUARD_LOG_FORMAT must be json or text"), e.getMessage());
        e = assertThrows(MisconfiguredException.class, () -> LogFormat.configured(null, null, "yaml"));
        assertTrue(e.getMessage().contains("lifeguard.log.format in config/application.properties"), e.getMessage());
    }
}
