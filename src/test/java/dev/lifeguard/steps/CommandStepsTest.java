package dev.lifeguard.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.chef.ChefCleanup;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.salt.SaltAcceptKey;
import dev.lifeguard.steps.salt.SaltDeleteKey;
import dev.lifeguard.steps.salt.SaltState;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.exec.ToolPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The exec-based steps against the fake tools in src/test/fake-tools, through camel-exec. */
class CommandStepsTest {
    private static CamelContext camel;
    private static CommandRunner commands;

    @BeforeAll
    static void camel() {
        camel = new DefaultCamelContext();
        camel.start();
        commands = new CommandRunner(camel.createProducerTemplate());
    }

    @AfterAll
    static void stop() {
        camel.stop();
    }

    /** The fake tools' steering files are shared with other test classes (SeedWorkflowsTest leaves fail-state behind). */
    @BeforeEach
    void toolsBehave() {
        for (String file : List.of("fail-state", "fail-salt", "fail-salt-key", "fail-knife", "chef-nodes")) {
            FakeTools.remove(file);
        }
    }

    @Test
    void argumentsReachTheProgramWholeWithoutAShell() {
        CommandResult result = commands.run(List.of("src/test/fake-tools/knife", "search", "node", "a b; $(reboot) `id` 'q'"),
                Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), result::excerpt);
        List<String> last = lastCall();
        assertEquals(List.of("knife", "search", "node", "a b; $(reboot) `id` 'q'"), last);
    }

    @Test
    void anExecutableThatIsNotAPlainPathIsPermanent() {
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> commands.run(List.of("knife;reboot", "x"), Duration.ofSeconds(5)));
        assertTrue(error.getMessage().contains("\"knife;reboot\" is not a usable path"), error::getMessage);
        error = assertThrows(PermanentStepException.class, () -> commands.run(List.of("-knife", "x"), Duration.ofSeconds(5)));
        assertTrue(error.getMessage().contains("\"-knife\" is not a usable path"), error::getMessage);
    }

    /** An operator's absolute path may hold spaces: it is one argument, and the program runs. */
    @Test
    void anAbsoluteExecutablePathWithSpacesRuns(@TempDir Path dir) throws IOException {
        Path tools = Files.createDirectories(dir.resolve("chef tools"));
        Path knife = tools.resolve("knife");
        // A wrapper, so that the fake knife still finds its record.sh next to itself.
        Files.writeString(knife, "#!/bin/sh\nexec " + Path.of("src/test/fake-tools/knife").toAbsolutePath() + " \"$@\"\n");
        Files.setPosixFilePermissions(knife, PosixFilePermissions.fromString("rwx------"));

        CommandResult result = commands.run(List.of(knife.toString(), "node", "delete", "web-1", "-y"), Duration.ofSeconds(30));

        assertEquals(0, result.exitCode(), result::excerpt);
        assertEquals(List.of("knife", "node", "delete", "web-1", "-y"), lastCall());
    }

    /** A tool that prints without end is drained to its end, and what is kept is bounded and says it was cut. */
    @Test
    void aToolWritingThreeMebibytesCompletesAndItsResultSaysItWasCut() {
        int written = 3 * 1024 * 1024;
        CommandResult result = commands.run(List.of("/bin/sh", "-c", "head -c " + written + " /dev/zero | tr '\\0' x; echo done >&2"),
                Duration.ofSeconds(60));

        assertEquals(0, result.exitCode(), result::excerpt);
        assertTrue(result.wasCut());
        assertEquals(written - 1024 * 1024, result.cut());
        assertTrue(result.stdout().length() < 1024 * 1024 + 200, () -> "kept " + result.stdout().length());
        assertTrue(result.stdout().startsWith("xxxx") && result.stdout().endsWith("xxxx"), "the start and the end are kept");
        assertTrue(result.stdout().contains("\n[… 2097152 bytes cut (3145728 written, the first 786432 and the last 262144 kept) …]\n"));
        assertEquals("done\n", result.stderr());
        assertTrue(result.excerpt().endsWith("(output cut: 2097152 bytes not kept)"), result::excerpt);
    }

    @Test
    void outputWithinTheBoundIsKeptWhole() {
        CommandResult result = commands.run(List.of("/bin/sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' y"), Duration.ofSeconds(60));
        assertEquals(0, result.cut());
        assertEquals("y".repeat(1024 * 1024), result.stdout());
        assertTrue(!result.excerpt().contains("cut"), result::excerpt);
    }

    @Test
    void aMissingExecutableIsPermanentAndNamed() {
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> commands.run(List.of("src/test/fake-tools/no-such-knife", "node", "list"), Duration.ofSeconds(30)));
        assertTrue(error.getMessage().startsWith("executable \"src/test/fake-tools/no-such-knife\" cannot be run"), error::getMessage);
    }

    @Test
    void anExecutableNotOnThePathIsPermanent() {
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> commands.run(List.of("lifeguard-no-such-program", "x"), Duration.ofSeconds(30)));
        assertTrue(error.getMessage().contains("\"lifeguard-no-such-program\""), error::getMessage);
    }

    @Test
    void aFileThatIsNotExecutableIsPermanent() {
        // record.sh is sourced by the fake tools and has no execute permission.
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> commands.run(List.of("src/test/fake-tools/record.sh"), Duration.ofSeconds(30)));
        assertTrue(error.getMessage().contains("record.sh"), error::getMessage);
    }

    @Test
    void aMissingExecutableFailsItsStepPermanently() {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef4");
        StepRequest request = request(event, "salt-delete-key", Map.of("salt-key", "src/test/fake-tools/salt-key-missing"));

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new SaltDeleteKey(commands).run(request));

        assertTrue(error.getMessage().contains("salt-key-missing"), error::getMessage);
    }

    @Test
    void aNonZeroExitStaysAnOrdinaryRetryableFailure() {
        FakeTools.write("fail-salt-key", "Salt request timed out. The master is not responding.");
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef5");
        StepRequest request = request(event, "salt-delete-key", Map.of("salt-key", "src/test/fake-tools/salt-key"));

        RuntimeException error = assertThrows(RuntimeException.class, () -> new SaltDeleteKey(commands).run(request));

        assertTrue(!(error instanceof PermanentStepException), error::toString);
        assertTrue(error.getMessage().contains("exit 1"), error::getMessage);
        assertEquals(List.of("salt-key", "-d", "salt-minions-i-0123456789abcdef5", "-y"), lastCall());
    }

    @Test
    void chefCleanupWithoutAnyIdentifierFailsClearly() {
        LifecycleEvent event = new LifecycleEvent(Kind.CLEANUP_REQUEST, "lifeguard:CLEANUP", Envelope.DIRECT, null, null, null, null,
                null, "r-1", "m-1", null, null, null, null, "10.0.0.1", null);
        StepRequest request = new StepRequest(event, null, new StepConfig("chef-cleanup", Map.of("knife", "src/test/fake-tools/knife")),
                false, Heartbeat.NONE);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ChefCleanup(commands).run(request));
        assertTrue(error.getMessage().contains("needs node-name"), error::getMessage);
    }

    @Test
    void aMinionIdTemplateThatRendersAGlobIsRefusedBeforeSaltRuns() {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef0");
        StepRequest request = new StepRequest(event, InstanceFacts.unknown(event.instanceId()),
                new StepConfig("salt-accept", Map.of("salt-key", "src/test/fake-tools/salt-key", "minion-id", "{group}*")),
                false, Heartbeat.NONE);
        int before = callCount();
        assertThrows(PermanentStepException.class, () -> new SaltAcceptKey(commands).run(request));
        assertEquals(before, callCount(), "nothing ran");
    }

    /** Group names AWS accepts that are no Salt target: a glob, a space, a '$', a '[', a leading '-'. */
    @ParameterizedTest(name = "group \"{0}\" never reaches salt or salt-key")
    @ValueSource(strings = {"batch *", "prod$green", "web servers", "db[12]", "who?", "-L", "web-asg$(reboot)"})
    void saltStepsRefuseAGroupNameThatIsNoSafeTargetWithoutRunningSalt(String group) {
        LifecycleEvent event = hook(group, "i-0123456789abcdef2");
        String minion = group + "-i-0123456789abcdef2";
        Map<String, Object> tools = Map.of("salt-key", "src/test/fake-tools/salt-key", "salt", "src/test/fake-tools/salt");
        Map<String, Step> steps = Map.of(
                "salt-accept", new SaltAcceptKey(commands),
                "salt-state", new SaltState(commands),
                "salt-delete-key", new SaltDeleteKey(commands));
        int before = callCount();

        steps.forEach((type, step) -> {
            Map<String, Object> config = new HashMap<>(tools);
            config.keySet().retainAll(step.settings());
            PermanentStepException error = assertThrows(PermanentStepException.class,
                    () -> step.run(request(event, type, config)), type);
            assertEquals(type + ": minion id " + dev.lifeguard.event.Identifiers.quote(minion) + " is not a safe Salt target: "
                    + "only letters, digits, '.', '_' and '-', starting with a letter or digit, at most 255 characters"
                    + " (no '*', '?', '[' or spaces)", error.getMessage());
        });

        assertEquals(before, callCount(), "neither salt nor salt-key ran");
        assertTrue(FakeTools.callsAbout("i-0123456789abcdef2").isEmpty());
    }

    @Test
    void aHookFromAGroupWithShellCharactersIsReadButItsSaltAndChefStepsFailPermanently() {
        LifecycleEvent event = Fixtures.parse(Fixtures.read("hook-launching-shell-group.json"));
        assertEquals("web-asg$(reboot)", event.groupName());
        int before = callCount();

        PermanentStepException salt = assertThrows(PermanentStepException.class, () -> new SaltAcceptKey(commands)
                .run(request(event, "salt-accept", Map.of("salt-key", "src/test/fake-tools/salt-key", "salt", "src/test/fake-tools/salt"))));
        PermanentStepException chef = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands)
                .run(request(event, "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife", "node-name", "{group}-{instanceId}"))));

        assertTrue(salt.getMessage().contains("\"web-asg$(reboot)-i-05b7e3c1d9a2f4e68\""), salt::getMessage);
        assertTrue(chef.getMessage().contains("\"web-asg$(reboot)-i-05b7e3c1d9a2f4e68\" is not a Chef node name"), chef::getMessage);
        assertEquals(before, callCount(), "no tool ran");
    }

    @Test
    void aStateNameThatIsNoPlainNameIsRefusedBeforeSaltRuns() {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef3");
        int before = callCount();
        for (String state : List.of("clean *", "-x", "clean;reboot", "")) {
            PermanentStepException error = assertThrows(PermanentStepException.class, () -> new SaltState(commands)
                    .run(request(event, "salt-clean", Map.of("salt", "src/test/fake-tools/salt", "state", state))));
            assertTrue(error.getMessage().startsWith("salt-clean: state name "), error::getMessage);
        }
        assertEquals(before, callCount());
    }

    @Test
    void saltAcceptLeavesHeartbeatsToTheEngine() throws Exception {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef6");
        AtomicInteger beats = new AtomicInteger();
        StepRequest request = new StepRequest(event, InstanceFacts.unknown(event.instanceId()), new StepConfig("salt-accept",
                Map.of("salt-key", "src/test/fake-tools/salt-key", "salt", "src/test/fake-tools/salt")), false, beats::incrementAndGet);

        StepOutcome outcome = new SaltAcceptKey(commands).run(request);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(0, beats.get());
        assertEquals(List.of("salt", "salt-minions-i-0123456789abcdef6", "state.highstate", "--out", "json"), lastCall());
    }

    @Test
    void chefCleanupRefusesANodeNameTemplateThatRendersNoNodeNameWithoutRunningKnife() {
        LifecycleEvent event = hook("web servers", "i-0123456789abcdef7");
        int before = callCount();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands)
                .run(request(event, "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife", "node-name", "{group}-{instanceId}"))));

        assertTrue(error.getMessage().startsWith("chef-cleanup: node name \"web servers-i-0123456789abcdef7\" is not a Chef node name: "
                + "only letters, digits"), error::getMessage);
        assertEquals(before, callCount(), "knife never ran");
    }

    @Test
    void chefCleanupBuildsASearchOnlyFromAnInstanceIdThatIsOne() {
        LifecycleEvent event = new LifecycleEvent(Kind.TERMINATED, Kind.TERMINATED.eventName(), Envelope.DIRECT, "web-asg", null,
                null, null, null, "r-1", "m-1", null, null, null, null, null, null);
        // Facts come from the table, not from a checked message.
        InstanceFacts facts = new InstanceFacts("i-1 OR name:*", "terminated", null, null, null, null, null);
        StepRequest request = new StepRequest(event, facts, new StepConfig("chef-cleanup", Map.of("knife", "src/test/fake-tools/knife")),
                false, Heartbeat.NONE);
        int before = callCount();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands).run(request));

        assertTrue(error.getMessage().startsWith("chef-cleanup: instance id \"i-1 OR name:*\" is not an EC2 instance id"), error::getMessage);
        assertEquals(before, callCount(), "knife never ran");
    }

    @Test
    void chefCleanupDeletesNothingWhenTheChefServerAnswersWithANameThatIsNoNodeName() {
        FakeTools.write("chef-nodes", "i-0123456789abcdef8 --all\n");
        LifecycleEvent event = hook("web-asg", "i-0123456789abcdef8");
        int before = callCount();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands)
                .run(request(event, "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife"))));

        assertTrue(error.getMessage().contains("node name \"--all\" is not a Chef node name"), error::getMessage);
        assertEquals(before + 1, callCount(), "only the search ran");
        assertEquals("search", lastCall().get(1));
    }

    /** The operator's knife config path, spaces and all, from a loaded profile to knife as one argument. */
    @Test
    void aKnifeConfigPathWithASpaceLoadsAndReachesKnifeAsOneArgument(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, """
                groups:
                  - match: web-asg
                    steps:
                      terminated:
                        - type: chef-cleanup
                          knife: src/test/fake-tools/knife
                          config: /srv/chef repo/knife.rb
                          node-name: "{instanceId}"
                """);
        StepSpec spec = ProfileLoader.of(Map.of("chef-cleanup", new ChefCleanup(commands))).load(file)
                .forGroup("web-asg").stepsFor("terminated").get(0);
        assertEquals("/srv/chef repo/knife.rb", spec.config().string("config"));
        LifecycleEvent event = hook("web-asg", "i-0123456789abcdef9");

        StepOutcome outcome = new ChefCleanup(commands).run(new StepRequest(event, InstanceFacts.unknown(event.instanceId()),
                spec.config(), false, Heartbeat.NONE));

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(List.of("knife", "client", "delete", "i-0123456789abcdef9", "-y", "-c", "/srv/chef repo/knife.rb"), lastCall());
    }

    /** A path that starts with '-' would be read as an option: the profile is refused, naming the setting. */
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({"chef-cleanup, knife", "chef-cleanup, config", "salt-state, salt", "salt-delete-key, salt-key",
            "salt-accept, salt", "salt-accept, salt-key"})
    void aToolPathStartingWithADashIsRefusedNamingTheSetting(String type, String setting, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, "default:\n  steps:\n    terminated:\n      - type: " + type + "\n        " + setting
                + ": \"--local-mode\"\n");
        ProfileLoader loader = ProfileLoader.of(Map.of("chef-cleanup", new ChefCleanup(commands), "salt-state",
                new SaltState(commands), "salt-delete-key", new SaltDeleteKey(commands), "salt-accept", new SaltAcceptKey(commands)));

        ProfileLoader.InvalidProfilesException error = assertThrows(ProfileLoader.InvalidProfilesException.class, () -> loader.load(file));

        assertTrue(error.getMessage().contains(type + ": '" + setting + "' \"--local-mode\" is not a usable path: "
                + ToolPaths.RULE), error::getMessage);
    }

    @Test
    void chefCleanupRefusesAKnifeConfigStartingWithADashWhenItRuns() {
        LifecycleEvent event = hook("web-asg", "i-0123456789abcdef9");
        int before = callCount();
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands).run(request(event,
                "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife", "node-name", "{instanceId}", "config", "-z"))));
        assertTrue(error.getMessage().startsWith("chef-cleanup: 'config' \"-z\" is not a usable path"), error::getMessage);
        assertEquals(before, callCount());
    }

    /** The organization's validator and the client knife runs as are never deleted, whoever names them. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"acme-validator", "chef-validator", "ACME-VALIDATOR", "lifeguard"})
    void chefCleanupOverKnifeNeverDeletesTheValidatorOrItsOwnClient(String name) {
        LifecycleEvent event = new LifecycleEvent(Kind.CLEANUP_REQUEST, "lifeguard:CLEANUP", Envelope.DIRECT, "web-asg", null, null,
                null, null, "r-1", "m-1", null, null, null, name, null, null);
        Map<String, Object> config = Map.of("knife", "src/test/fake-tools/knife", "client-name", "lifeguard");
        int before = callCount();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands)
                .run(request(event, "chef-cleanup", config)));

        assertTrue(error.getMessage().startsWith("chef-cleanup: refusing to delete the node and client \"" + name + "\": "),
                error::getMessage);
        assertTrue(error.getMessage().contains(name.equals("lifeguard") ? "the client Lifeguard authenticates as" : "validator"),
                error::getMessage);
        assertEquals(before, callCount(), "knife never ran");
    }

    @Test
    void chefCleanupOverKnifeRefusesAValidatorFoundBySearchBeforeDeletingAnything() {
        FakeTools.write("chef-nodes", "i-0123456789abcdefa acme-validator\n");
        LifecycleEvent event = hook("web-asg", "i-0123456789abcdefa");
        int before = callCount();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new ChefCleanup(commands)
                .run(request(event, "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife"))));

        assertTrue(error.getMessage().contains("\"acme-validator\": a name ending in '-validator' is the organization's validator"),
                error::getMessage);
        assertEquals(before + 1, callCount(), "only the search ran");
        assertEquals("search", lastCall().get(1));
    }

    @Test
    void chefCleanupOverKnifeRunsAsTheConfiguredClient() {
        LifecycleEvent event = hook("web-asg", "i-0123456789abcdefb");
        StepOutcome outcome = new ChefCleanup(commands).run(request(event, "chef-cleanup", Map.of("knife", "src/test/fake-tools/knife",
                "client-name", "lifeguard", "node-name", "{instanceId}")));
        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(List.of("knife", "client", "delete", "i-0123456789abcdefb", "-y", "--user", "lifeguard"), lastCall());
    }

    @Test
    void dryRunRunsNothingAndSaysWhatItWouldRun() throws Exception {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef1");
        StepRequest request = new StepRequest(event, InstanceFacts.unknown(event.instanceId()),
                new StepConfig("salt-delete-key", Map.of("salt-key", "src/test/fake-tools/salt-key")), true, Heartbeat.NONE);
        int before = callCount();
        StepOutcome outcome = new SaltDeleteKey(commands).run(request);
        assertEquals("SKIPPED", outcome.status());
        assertEquals("would run src/test/fake-tools/salt-key -d salt-minions-i-0123456789abcdef1 -y", outcome.detail());
        assertEquals(before, callCount());
    }

    private static StepRequest request(LifecycleEvent event, String name, Map<String, Object> config) {
        return new StepRequest(event, InstanceFacts.unknown(event.instanceId()), new StepConfig(name, config), false, Heartbeat.NONE);
    }

    static LifecycleEvent hook(String group, String instanceId) {
        return new LifecycleEvent(Kind.LAUNCHING, Kind.LAUNCHING.eventName(), Envelope.DIRECT, group, instanceId, "hook",
                UUID.randomUUID().toString(), null, null, "m-1", null, null, null, null, null, null);
    }

    private static List<String> lastCall() {
        List<List<String>> calls = FakeTools.calls();
        return calls.get(calls.size() - 1);
    }

    private static int callCount() {
        return FakeTools.calls().size();
    }
}
