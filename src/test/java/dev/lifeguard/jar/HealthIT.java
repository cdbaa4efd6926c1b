package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
import dev.lifeguard.local.MotoServer;
import dev.lifeguard.local.SwitchableProxy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The health and metrics endpoint of the packaged jar, over HTTP, as ECS and Prometheus see it:
 * ready while the queue and the table answer, not ready while either does not or while the
 * service is shutting down, and the metrics of what it did.
 */
class HealthIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static LocalAws aws;
    private static LocalDynamoDbServer dynamoDb;
    private static FleetStandIn fleet;
    private static SwitchableProxy sqsProxy;
    private static SwitchableProxy dynamoDbProxy;

    @BeforeAll
    static void standIns() throws IOException {
        aws = LocalAws.shared();
        dynamoDb = LocalDynamoDbServer.start();
        fleet = FleetStandIn.start();
        sqsProxy = new SwitchableProxy(URI.create(aws.sqsEndpoint()));
        dynamoDbProxy = new SwitchableProxy(dynamoDb.endpoint());
    }

    @AfterAll
    static void stop() {
        sqsProxy.close();
        dynamoDbProxy.close();
        fleet.close();
        dynamoDb.close();
    }

    @Test
    void readyWhileQueueAndTableAnswerNotReadyWhileEitherDoesNotOrWhileStoppingAndMetricsTellWhatWasDone() throws Exception {
        String queue = "health-" + UUID.randomUUID().toString().substring(0, 6);
        String queueUrl = aws.createQueue(queue, 30);
        aws.createQueue(queue + "-dlq", 30);
        int port = MotoServer.freePort();
        Path profiles = Path.of("target", "jar-it", queue + "-profiles.yaml");
        String good = Files.readString(Path.of("src/test/resources/profiles/engine-it.yaml"));
        Files.writeString(profiles, good);
        Map<String, String> settings = Jar.settings(queue, profiles.toString(), sqsProxy.endpoint(),
                dynamoDbProxy.endpoint(), fleet.endpoint(), fleet.endpoint(), fleet.endpoint());
        settings.put("LIFEGUARD_HEALTH_PORT", Integer.toString(port));
        fleet.commandDuration(Duration.ofSeconds(1));
        Process lifeguard = Jar.start(settings, Path.of("."), "health.log");
        try {
            Fixtures.awaitUntil("ready", PATIENCE, () -> status(port, "/observe/health/ready") == 200);
            assertEquals(200, get(port, "/observe/health/live").statusCode());

            // One hook done: the metrics say what happened, by kind, result and step type.
            String instance = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
            String body = Fixtures.fresh(Fixtures.read("hook-terminating.json"))
                    .replace("exampleAutoScalingGroup", "drain-health").replace("i-883a3a42", instance);
            LifecycleEvent hook = Fixtures.parse(body);
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(body)));
            Fixtures.awaitUntil("completion", PATIENCE, () -> !fleet.completions(hook.actionToken()).isEmpty());
            Fixtures.awaitUntil("the event counted", PATIENCE,
                    () -> value(metrics(port), "lifeguard_events_total", "kind=\"TERMINATING\",result=\"SUCCEEDED\"") == 1.0);
            String metrics = metrics(port);
            assertEquals(1.0, value(metrics, "lifeguard_completions_total", "result=\"CONTINUE\""), metrics);
            assertEquals(1.0, value(metrics, "lifeguard_steps_seconds_count", "status=\"SUCCEEDED\",type=\"ssm-command\""), metrics);
            assertEquals(1.0, value(metrics, "lifeguard_steps_seconds_count", "status=\"SUCCEEDED\",type=\"salt-state\""), metrics);
            assertEquals(0.0, value(metrics, "lifeguard_events_in_flight", ""), metrics);
            assertEquals(0.0, value(metrics, "lifeguard_steps_parked", ""), metrics);
            assertFalse(metrics.contains(instance), "instance ids are never labels");
            assertFalse(metrics.contains("drain-health"), "group names are labels only when asked for");

            // An edit of the profiles file is loaded or rejected within seconds, no event needed.
            Files.writeString(profiles, good.replace("type: salt-state", "type: no-such-step"));
            Fixtures.awaitUntil("the broken edit rejected", Duration.ofSeconds(10),
                    () -> value(metrics(port), "lifeguard_profiles_edits_total", "outcome=\"rejected\"") == 1.0);
            Files.writeString(profiles, good + "\n# fixed\n");
            Fixtures.awaitUntil("the fixed edit loaded", Duration.ofSeconds(10),
                    () -> value(metrics(port), "lifeguard_profiles_edits_total", "outcome=\"loaded\"") == 1.0);

            // The queue does not answer: not ready, naming it; ready again once it does.
            sqsProxy.down();
            Fixtures.awaitUntil("not ready while SQS is down", PATIENCE, () -> get(port, "/observe/health/ready").statusCode() == 503);
            String down = get(port, "/observe/health/ready").body();
            assertTrue(down.contains("queue") && down.contains("SQS does not answer"), down);
            sqsProxy.up();
            Fixtures.awaitUntil("ready after SQS is back", PATIENCE, () -> get(port, "/observe/health/ready").statusCode() == 200);

            // The table does not answer: not ready, even with no event arriving to find out.
            dynamoDbProxy.down();
            Fixtures.awaitUntil("not ready while DynamoDB is down", PATIENCE, () -> get(port, "/observe/health/ready").statusCode() == 503);
            assertTrue(get(port, "/observe/health/ready").body().contains("table"));
            assertEquals(200, get(port, "/observe/health/live").statusCode(), "an unreachable table is no reason to restart");
            dynamoDbProxy.up();
            Fixtures.awaitUntil("ready after DynamoDB is back", PATIENCE, () -> get(port, "/observe/health/ready").statusCode() == 200);

            // Shutting down with a step running (a salt-key accept the fake tool holds for 8 s):
            // not ready during the grace the step gets, before the exit.
            String slowInstance = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
            FakeTools.write("slow-slowsalt-health-" + slowInstance, "8");
            String slow = Fixtures.fresh(Fixtures.read("hook-terminating.json")).replace("exampleAutoScalingGroup", "slowsalt-health")
                    .replace("i-883a3a42", slowInstance);
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(slow)));
            Fixtures.awaitUntil("a salt step running", PATIENCE, () -> !FakeTools.callsAbout("slowsalt-health-" + slowInstance).isEmpty());
            lifeguard.destroy();
            Fixtures.awaitUntil("not ready while stopping", Duration.ofSeconds(10),
                    () -> status(port, "/observe/health/ready") == 503);
            assertTrue(lifeguard.isAlive(), "readiness went down during the grace, before the exit");
        } finally {
            sqsProxy.up();
            dynamoDbProxy.up();
            lifeguard.destroy();
            lifeguard.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status code, or -1 when nothing answers. */
    private static int status(int port, String path) {
        try {
            return get(port, path).statusCode();
        } catch (java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static String metrics(int port) {
        HttpResponse<String> response = get(port, "/observe/metrics");
        assertEquals(200, response.statusCode());
        return response.body();
    }

    /** A sample's value from Prometheus text, by name and exact labels ("" for none); -1 when absent. */
    private static double value(String metrics, String name, String labels) {
        Pattern sample = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels.isEmpty() ? "" : "\\{" + Pattern.quote(labels) + "\\}")
                + " (\\S+)$");
        Matcher m = sample.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
