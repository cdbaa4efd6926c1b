package dev.lifeguard.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.chef.ChefCleanup;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.salt.SaltAcceptKey;
import dev.lifeguard.steps.salt.SaltDeleteKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    @Test
    void argumentsReachTheProgramWholeWithoutAShell() {
        CommandResult result = commands.run(List.of("src/test/fake-tools/knife", "search", "node", "a b; $(reboot) `id` 'q'"),
                Duration.ofSeconds(30));
        assertEquals(0, result.exitCode(), result::excerpt);
        List<String> last = lastCall();
        assertEquals(List.of("knife", "search", "node", "a b; $(reboot) `id` 'q'"), last);
    }

    @Test
    void executablesMustBePlainPaths() {
        assertThrows(IllegalArgumentException.class, () -> commands.run(List.of("knife;reboot", "x"), Duration.ofSeconds(5)));
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
        assertThrows(IllegalArgumentException.class, () -> new SaltAcceptKey(commands).run(request));
        assertEquals(before, callCount(), "nothing ran");
    }

    @Test
    void dryRunRunsNothingAndSaysWhatItWouldRun() {
        LifecycleEvent event = hook("salt-minions", "i-0123456789abcdef1");
        StepRequest request = new StepRequest(event, InstanceFacts.unknown(event.instanceId()),
                new StepConfig("salt-delete-key", Map.of("salt-key", "src/test/fake-tools/salt-key")), true, Heartbeat.NONE);
        int before = callCount();
        StepOutcome outcome = new SaltDeleteKey(commands).run(request);
        assertEquals("SKIPPED", outcome.status());
        assertEquals("would run src/test/fake-tools/salt-key -d salt-minions-i-0123456789abcdef1 -y", outcome.detail());
        assertEquals(before, callCount());
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
