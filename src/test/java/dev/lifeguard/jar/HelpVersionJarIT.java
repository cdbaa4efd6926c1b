package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar lifeguard.jar --help} prints Lifeguard's own usage (not Camel Main's runner
 * options, which would mention Apache Camel) and {@code --version} the version and the commit the jar was built from; neither
 * needs a setting nor starts the service.
 */
class HelpVersionJarIT {

    /** {@code -h} and {@code help} print the same (UsageTest, in-process): one start of the jar is enough. */
    @Test
    void helpPrintsLifeguardsUsage() throws Exception {
        String help = run("help.log", "--help");
        assertTrue(help.contains("Usage: java -jar lifeguard.jar [command]"), help);
        assertTrue(help.contains("(no command)  run the service"), help);
        assertTrue(help.contains("  history [--json] [--limit N] [--group] <instance-id | group-name>"), help);
        assertTrue(help.contains("  plan [--describe] <event.json | ->"), help);
        assertTrue(help.contains("  status [--json]"), help);
        assertTrue(help.contains("  LIFEGUARD_QUEUE "), help);
        assertTrue(help.contains("  LIFEGUARD_DEAD_LETTER_QUEUE "), help);
        assertTrue(help.contains("Every setting, with its default: README.md, section \"Configuration\"."), help);
        assertTrue(help.contains("Exit status:") && help.contains("  2  a start-up mistake"), help);
        assertTrue(help.endsWith("exit 0"), help);
    }

    @Test
    void versionPrintsTheVersionAndTheCommitTheJarWasBuiltFrom() throws Exception {
        String version = run("version.log", "--version");
        Matcher line = Pattern.compile("Lifeguard (\\S+) \\(commit (\\S+)\\)\nexit 0").matcher(version);
        assertTrue(line.matches(), version);
        assertTrue(line.group(1).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), version);
        String commit = line.group(2);
        if (Files.exists(Path.of(".git"))) {
            Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, git.waitFor());
            assertTrue(commit.length() >= 7 && head.startsWith(commit), "built from " + commit + ", HEAD is " + head);
        } else {
            assertEquals("unknown", commit, "built without git");
        }
    }

    private static String run(String log, String... args) throws Exception {
        return CommandsJarIT.run(Map.of(), log, args);
    }
}
