package dev.lifeguard.seeds;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.cli.Commands;
import dev.lifeguard.event.LifecycleEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * A terminating hook whose group retains instances on abandon, end to end: the real routes and
 * engine give up on a failing step and abandon the hook, Auto Scaling (the stand-in's
 * {@link dev.lifeguard.local.LiveActions}) retains the instance, the outcome becomes RETAINED and
 * {@code history} says so; once the cause is fixed, the real {@code resume} command runs only the
 * step not recorded done and terminates the instance once; a second {@code resume} does nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {MotoWorld.Beans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=" + MotoWorld.QUEUE,
            "lifeguard.dead-letter-queue=" + MotoWorld.DEAD_LETTER_QUEUE,
            "lifeguard.table=" + RetainedInstancesTest.TABLE,
            "lifeguard.table.create=true",
            "lifeguard.profiles=target/seeds-profiles.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=2",
            "lifeguard.max-attempts=1",
        })
class RetainedInstancesTest {
    static final String TABLE = "retained";
    private static final String GROUP = "retain-web";
    /** The management port, free on this machine: the status page's fleet view is read from it. */
    private static final int PORT = freePort();
    private final MotoWorld world = MotoWorld.get();

    @AfterAll
    void clearPort() {
        System.clearProperty("lifeguard.health.port");
    }

    @Test
    void anAbandonedHookIsRetainedAndResumeRunsOnlyTheFailedStepThenTerminatesOnce() {
        String id = world.launch().instanceId();
        String body = MotoWorld.hook("hook-terminating.json", GROUP, id);
        LifecycleEvent event = Fixtures.parse(body);
        world.actions.retainOnAbandon(GROUP);
        world.actions.sent(body);
        FakeTools.write("fail-state", "Minion did not return");
        try {
            world.sqs.sendMessage(r -> r.queueUrl(world.queueUrl).messageBody(body));
            Map<String, AttributeValue> outcome = world.awaitOutcome(TABLE, event.idempotencyKey(), "RETAINED");
            assertEquals("ABANDON", outcome.get("hookResult").s());
            assertEquals("Terminating:Retained", outcome.get("retainedState").s());
            assertEquals(1, drainsOn(id).size(), "the drain ran once");
            assertEquals(1, cleansOf(id), "the clean state ran once, and failed");

            Run history = command("history", id);
            assertEquals(0, history.status(), history.toString());
            assertTrue(history.out().contains("result RETAINED"), history.out());
            assertTrue(history.out().contains("lifeguard resume " + id), history.out());
            String fleet = get("/observe/fleet");
            assertTrue(fleet.contains("\"retained\":[{\"key\":\"" + event.idempotencyKey() + "\",\"group\":\"" + GROUP
                    + "\",\"instance\":\"" + id + "\""), "the status page's fleet view lists it: " + fleet);
            Run retained = command("history", "--retained");
            assertEquals(0, retained.status(), retained.toString());
            assertTrue(retained.out().contains(id), retained.out());
        } finally {
            FakeTools.remove("fail-state");
        }

        Run resume = command("resume", id);
        assertEquals(0, resume.status(), resume.toString());
        assertTrue(resume.out().contains("skipped drain SUCCEEDED"), resume.out());
        assertTrue(resume.out().contains("ran     clean SUCCEEDED"), resume.out());
        assertEquals(1, drainsOn(id).size(), "the drain recorded done was not sent again");
        assertEquals(2, cleansOf(id), "the failed clean state ran again");
        assertEquals(List.of(Map.entry(id, "false")), world.actions.terminations(),
                "terminated once, desired capacity unchanged");
        Map<String, AttributeValue> resumed = world.awaitOutcome(TABLE, event.idempotencyKey(), "RESUMED");
        assertTrue(resumed.get("termination").s().contains("InProgress"), resumed.toString());
        assertTrue(!resumed.containsKey("inFlight"), "no longer listed as retained");

        Run again = command("resume", id);
        assertEquals(1, again.status(), again.toString());
        assertTrue(again.out().contains("Nothing to do: resumed already"), again.out());
        assertEquals(1, world.actions.terminations().size(), "not terminated twice");
        Run none = command("history", "--retained");
        assertEquals(1, none.status(), none.toString());
    }

    /**
     * The same failure in a group whose policy terminates abandoned instances: Auto Scaling keeps
     * the instance Terminating:Proceed on its way out, never retained, and the record stays
     * GAVE_UP whatever the hook's message said.
     */
    @Test
    void anAbandonedHookInAGroupThatDoesNotRetainStaysGivenUp() {
        String id = world.launch().instanceId();
        String body = MotoWorld.hook("hook-terminating.json", "retain-off", id);
        LifecycleEvent event = Fixtures.parse(body);
        world.actions.sent(body);
        FakeTools.write("fail-state", "Minion did not return");
        try {
            world.sqs.sendMessage(r -> r.queueUrl(world.queueUrl).messageBody(body));
            world.awaitOutcome(TABLE, event.idempotencyKey(), "GAVE_UP");
            // The confirmation's look-up, then two of the watch's looks after the abandon.
            Fixtures.awaitUntil("two looks at " + id + " after its abandon", Duration.ofSeconds(15),
                    () -> lookUps(id) >= 3);
            Map<String, AttributeValue> outcome = world.awaitOutcome(TABLE, event.idempotencyKey(), "GAVE_UP");
            assertEquals("ABANDON", outcome.get("hookResult").s());
            assertTrue(!outcome.containsKey("inFlight"), "not listed as retained");
            assertEquals("Terminating:Proceed", world.actions.place(id).state());
        } finally {
            FakeTools.remove("fail-state");
        }
    }

    private long lookUps(String instanceId) {
        return world.autoScaling.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                .map(Fixtures::form)
                .filter(form -> "DescribeAutoScalingInstances".equals(form.get("Action")) && form.containsValue(instanceId))
                .count();
    }

    private record Run(int status, String out, String err) {
    }

    private static String get(String path) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + PORT + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            return answer.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            System.setProperty("lifeguard.health.port", String.valueOf(socket.getLocalPort()));
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The jar's command, in-process, on the world's clients and the test's settings. */
    private Run command(String... args) {
        Map<String, String> settings = Map.of("lifeguard.table", TABLE, "lifeguard.profiles", MotoWorld.PROFILES.toString());
        AutoScalingClient autoScaling = AutoScalingClient.builder()
                .endpointOverride(URI.create(world.autoScaling.baseUrl())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Commands.run(args, settings::get, new Commands.Aws(() -> world.dynamoDb, () -> world.ec2,
                        () -> PerAccount.only(autoScaling), () -> PerAccount.only(world.route53),
                        () -> PerAccount.only(world.ssm), () -> PerAccount.only(world.ecs)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private List<Command> drainsOn(String instanceId) {
        return world.ssm.listCommandsPaginator(r -> r.maxResults(50)).commands().stream()
                .filter(c -> c.comment() != null && c.comment().contains(" instance=" + instanceId + " "))
                .toList();
    }

    private long cleansOf(String instanceId) {
        return FakeTools.callsAbout(GROUP + "-" + instanceId).stream().filter(call -> call.get(0).equals("salt")).count();
    }
}
