package dev.lifeguard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.Settings;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.Profiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for giving up and for a failed hook's result, as intake, the engine and plan use it. */
class FailurePolicyTest {
    private static final LifecycleEvent LAUNCHING = Fixtures.parse(Fixtures.read("hook-launching.json"));        // group web-asg
    private static final LifecycleEvent TERMINATING = Fixtures.parse(Fixtures.read("hook-terminating.json"));    // exampleAutoScalingGroup
    private static final LifecycleEvent TO_WARM_POOL = Fixtures.parse(Fixtures.read("hook-terminating-to-warm-pool.json"));
    private static final LifecycleEvent TERMINATED = Fixtures.parse(Fixtures.read("notification-terminate.json"));

    @TempDir
    Path dir;

    private Profiles profiles(String yaml) throws IOException {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml);
        return new ProfileLoader(Map.of()).load(file);
    }

    @Test
    void theLastAttemptOrAPermanentFailureGivesUp() {
        FailurePolicy policy = Settings.failurePolicy(Map.of("lifeguard.max-attempts", "3")::get, () -> null);
        assertFalse(policy.givesUp(1, false));
        assertFalse(policy.givesUp(2, false));
        assertTrue(policy.givesUp(3, false));
        assertTrue(policy.givesUp(4, false), "a delivery past the last still gives up");
        assertTrue(policy.givesUp(1, true), "a permanent failure is not retried");
        assertEquals(3, policy.maxAttempts());
    }

    @Test
    void withoutAProfileChoiceTheSettingsDecideAndSayWhichOne() throws IOException {
        Profiles none = profiles("default:\n  steps: {}\ngroups: []\n");
        FailurePolicy defaults = Settings.failurePolicy(name -> null, () -> none);
        assertEquals(new FailurePolicy.Choice(HookResult.ABANDON, "lifeguard.hook.launching.on-failure"), defaults.forHook(LAUNCHING));
        assertEquals(new FailurePolicy.Choice(HookResult.CONTINUE, "lifeguard.hook.terminating.on-failure"),
                defaults.forHook(TERMINATING));

        FailurePolicy set = Settings.failurePolicy(Map.of("lifeguard.hook.launching.on-failure", "continue",
                "lifeguard.hook.terminating.on-failure", "ABANDON")::get, () -> none);
        assertEquals(HookResult.CONTINUE, set.hookResult(LAUNCHING));
        assertEquals(HookResult.ABANDON, set.hookResult(TERMINATING));
        // A terminating hook into the warm pool is of its own kind, and takes the terminating result.
        assertEquals(HookResult.ABANDON, set.hookResult(TO_WARM_POOL));
    }

    @Test
    void theGroupsProfileComesBeforeTheSettingsAndANotificationHasNoHookResult() throws IOException {
        Profiles profiles = profiles("""
                default:
                  steps: {}
                groups:
                  - match: web-*
                    on-failure:
                      launching: CONTINUE
                """);
        FailurePolicy policy = Settings.failurePolicy(name -> null, () -> profiles);
        assertEquals(new FailurePolicy.Choice(HookResult.CONTINUE, "the profile's on-failure"), policy.forHook(LAUNCHING));
        // Another group, and the same group's other transition, fall back to the settings.
        assertEquals(HookResult.CONTINUE, policy.hookResult(TERMINATING));
        assertEquals("lifeguard.hook.terminating.on-failure", policy.forHook(TERMINATING).chosenBy());
        assertNull(policy.hookResult(TERMINATED));
    }

    @Test
    void theServiceReadsTheCurrentProfilesEachTime() throws IOException {
        Profiles[] current = {profiles("default:\n  steps: {}\ngroups: []\n")};
        FailurePolicy policy = Settings.from(Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d",
                "lifeguard.table", "events")::get).failurePolicy(() -> current[0]);
        assertEquals(HookResult.ABANDON, policy.hookResult(LAUNCHING));
        current[0] = profiles("default:\n  on-failure: {launching: CONTINUE}\n  steps: {}\ngroups: []\n");
        assertEquals(HookResult.CONTINUE, policy.hookResult(LAUNCHING), "an edited profiles file applies to the next failure");
    }
}
