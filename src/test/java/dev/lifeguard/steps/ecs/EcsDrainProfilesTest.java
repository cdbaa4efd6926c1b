package dev.lifeguard.steps.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.Profiles;
import dev.lifeguard.profiles.StepSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.ecs.EcsClient;

/** An ecs-drain step is checked when the profiles load: where it may run, and its settings. */
class EcsDrainProfilesTest {
    /** No call is made while loading: a client that is not there would fail one. */
    private final ProfileLoader loader = ProfileLoader.of(Map.of("ecs-drain", new EcsDrain(PerAccount.<EcsClient>only(null))));

    @TempDir
    Path dir;

    @Test
    void aDrainLoadsForTerminatingAndToWarmPoolWithItsDefaults() throws Exception {
        Profiles profiles = load("terminating", "cluster: [web, \"arn:aws:ecs:eu-west-1:123456789012:cluster/batch\"]");
        StepSpec spec = profiles.forGroup("ecs-web").stepsFor("terminating").get(0);
        DrainSettings settings = DrainSettings.of(spec.config());
        assertEquals(List.of("web", "arn:aws:ecs:eu-west-1:123456789012:cluster/batch"), settings.clusters());
        assertEquals(Duration.ofMinutes(5), settings.timeout());
        assertEquals(Duration.ofSeconds(10), settings.pollInterval());
        assertEquals(DrainSettings.Standalone.WAIT, settings.standaloneTasks());
        assertEquals(1, load("to-warm-pool", "cluster: web").forGroup("ecs-web").stepsFor("to-warm-pool").size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "launching|cluster: web|ecs-drain runs only for [terminating, to-warm-pool], not for launching",
        "terminated|cluster: web|ecs-drain runs only for [terminating, to-warm-pool], not for terminated",
        "terminating|standalone-tasks: wait|'cluster' is required",
        "terminating|cluster: \"web servers\"|'cluster' web servers is not an ECS cluster name",
        "terminating|cluster: \"arn:aws:ecs:eu-west-1:123456789012:service/web/api\"|is not an ECS cluster name",
        "terminating|{cluster: web, standalone-tasks: stop}|'standalone-tasks' must be wait or leave, not 'stop'",
        "terminating|{cluster: web, poll-interval: 0}|'poll-interval' must be positive",
    })
    void aMistakeRejectsTheProfileNamingIt(String kind, String settings, String expected) {
        ProfileLoader.InvalidProfilesException refused = assertThrows(ProfileLoader.InvalidProfilesException.class,
                () -> load(kind, settings));
        assertEquals(true, refused.getMessage().contains(expected), refused.getMessage());
    }

    private Profiles load(String kind, String settings) throws Exception {
        String step = settings.startsWith("{") ? settings.substring(1, settings.length() - 1).replace(", ", "\n          ") : settings;
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, "groups:\n  - match: ecs-web\n    steps:\n      " + kind + ":\n        - type: ecs-drain\n          "
                + step + "\n");
        return loader.load(file);
    }
}
