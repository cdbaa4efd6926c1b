package dev.lifeguard.steps;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.store.InstanceFactsStore;
import dev.lifeguard.store.LifeguardTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parallel steps, time limits and heartbeats, with Auto Scaling on WireMock. */
class StepRunnerTest {
    private final LocalAws aws = LocalAws.shared();
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Waits until Auto Scaling has received two heartbeats for its hook: only heartbeats sent while it runs let it finish. */
    static final class WaitsForHeartbeats implements Step {
        private final LocalAws aws;

        WaitsForHeartbeats(LocalAws aws) {
            this.aws = aws;
        }

        @Override
        public String type() {
            return "waits-for-heartbeats";
        }

        @Override
        public java.util.Set<String> settings() {
            return java.util.Set.of();
        }

        @Override
        public StepOutcome run(StepRequest request) {
            Fixtures.awaitUntil("two heartbeats", Duration.ofSeconds(20), () -> heartbeats(aws, request.event()) >= 2);
            return StepOutcome.succeeded("saw heartbeats");
        }
    }

    /** Never finishes on its own: only the runner's time limit ends it. */
    static final class Hangs implements Step {
        @Override
        public String type() {
            return "hangs";
        }

        @Override
        public java.util.Set<String> settings() {
            return java.util.Set.of();
        }

        @Override
        public StepOutcome run(StepRequest request) throws InterruptedException {
            Thread.sleep(Long.MAX_VALUE);
            return StepOutcome.succeeded("never");
        }
    }

    @Test
    void aLongStepKeepsTheHookAliveWithHeartbeats() throws IOException {
        StepRunner runner = runner("""
                groups: [{match: web-asg, steps: {launching: [{type: waits-for-heartbeats, timeout: 30}]}}]
                """);
        LifecycleEvent event = Fixtures.parse(Fixtures.fresh(Fixtures.read("hook-launching.json")));
        StepsReport report = runner.run(event, "launching");
        assertEquals("SUCCEEDED", report.results().get(0).status());
        String form = aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=RecordLifecycleActionHeartbeat"))
                .withRequestBody(containing("LifecycleActionToken=" + event.actionToken()))).get(0).getBodyAsString();
        assertTrue(form.contains("LifecycleHookName=web-launch-hook") && form.contains("AutoScalingGroupName=web-asg"), form);
    }

    @Test
    void aStepPastItsTimeLimitFailsAndTheOthersStillReport() throws IOException {
        StepRunner runner = runner("""
                groups: [{match: web-asg, steps: {launching: [
                  {type: hangs, timeout: 1},
                  {type: waits-for-heartbeats, timeout: 30}]}}]
                """);
        LifecycleEvent event = Fixtures.parse(Fixtures.fresh(Fixtures.read("hook-launching.json")));
        StepsFailedException failed = assertThrows(StepsFailedException.class, () -> runner.run(event, "launching"));
        StepsReport report = failed.report();
        assertEquals("FAILED", report.results().get(0).status());
        assertEquals("timed out after 1 s", report.results().get(0).detail());
        assertEquals("SUCCEEDED", report.results().get(1).status(), "steps run in parallel, each with its own limit");
    }

    @Test
    void factsLearntAtLaunchAreKeptForCleanupAfterTermination() throws IOException {
        StepRunner runner = runner("groups: []");
        LifecycleEvent launched = Fixtures.parse(Fixtures.fresh(Fixtures.read("notification-launch.json")));
        runner.run(launched, "launched");
        InstanceFactsStore store = new InstanceFactsStore(aws.dynamoDb(), "runner-test", Clock.systemUTC());
        InstanceFacts facts = store.load(launched.instanceId()).orElseThrow();
        assertTrue(facts.privateIp().startsWith("10.0."), facts::toString);
    }

    private StepRunner runner(String yaml) throws IOException {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        Map<String, Step> steps = Map.of("waits-for-heartbeats", new WaitsForHeartbeats(aws), "hangs", new Hangs());
        ProfileStore profiles = new ProfileStore(file, new ProfileLoader(steps.values().stream()
                .collect(java.util.stream.Collectors.toMap(Step::type, Step::settings))), Clock.systemUTC());
        LifeguardTable.ensureExists(aws.dynamoDb(), "runner-test", true);
        return new StepRunner(profiles, steps, new Ec2Instances(AwsClients.ec2()),
                new InstanceFactsStore(aws.dynamoDb(), "runner-test", Clock.systemUTC()),
                new LifecycleActions(AwsClients.autoScaling()), executor, false, Duration.ofMillis(200), Clock.systemUTC());
    }

    private static int heartbeats(LocalAws aws, LifecycleEvent event) {
        return aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=RecordLifecycleActionHeartbeat"))
                .withRequestBody(containing("LifecycleActionToken=" + event.actionToken()))).size();
    }
}
