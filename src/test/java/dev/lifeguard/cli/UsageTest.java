package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Version;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three spellings of help print one text and call nothing; {@code --version} one line. The jar's own: HelpVersionJarIT. */
class UsageTest {

    @Test
    void helpInEachSpellingPrintsTheSameUsage() {
        CommandOutput help = run("--help");
        assertEquals(0, help.status(), help::toString);
        assertTrue(help.out().startsWith(Version.describe() + ": "), help.out());
        for (String spelling : new String[] {"-h", "help"}) {
            assertTrue(Commands.handles(new String[] {spelling}), spelling);
            assertEquals(help, run(spelling));
        }
        assertEquals("", help.err());
    }

    @Test
    void versionIsOneLineAndTheServiceIsNotACommand() {
        CommandOutput version = run("--version");
        assertEquals(new CommandOutput(0, Version.describe() + "\n", ""), version);
        assertFalse(Commands.handles(new String[0]), "no argument: the service");
        assertFalse(Commands.handles(new String[] {"--cds-training"}), "the service's own first argument");
    }

    private static CommandOutput run(String arg) {
        return CommandOutput.run(Map.of(), CommandOutput.never("DynamoDB"), CommandOutput.never("EC2"), arg);
    }
}
