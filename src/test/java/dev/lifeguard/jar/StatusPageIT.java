package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.HeadlessChromium;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.LocalDynamoDbServer;
import dev.lifeguard.local.MotoServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The status page as an operator opens it: the packaged jar against ElasticMQ, DynamoDB Local
 * and the fleet stand-in, its management port read by headless Chromium. Three hooks of a
 * group that drains one instance at a time and one message that is not an event: the page shows
 * the parked drain counting down, the group full with two waiting, the drain moving to recent
 * outcomes when its command ends, and the refused message in the dead-letter figure. Leaves
 * {@code target/status-page.png} for people to look at.
 */
class StatusPageIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Path SCREENSHOT = Path.of("target", "status-page.png");
    private static final String GROUP = "page-web";

    @Test
    void theLivePageShowsAParkedDrainAFullGroupItsEndAndTheDeadLetter() throws Exception {
        LocalAws aws = LocalAws.shared();
        String queue = "page-it-" + UUID.randomUUID().toString().substring(0, 8);
        String queueUrl = aws.createQueue(queue, 30);
        String deadLetters = aws.createQueue(queue + "-dlq", 30);
        int port = MotoServer.freePort();
        try (LocalDynamoDbServer dynamoDb = LocalDynamoDbServer.start(); FleetStandIn fleet = FleetStandIn.start()) {
            // Every drain runs until the test ends it.
            fleet.commandDuration(Duration.ofMinutes(10));
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"greeting\": \"not an Auto Scaling event\"}"));
            List<LifecycleEvent> hooks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                // Sent now: the global timeout counts from the message's time.
                String body = Fixtures.terminatingHook(GROUP).replace("2015-01-07T19:13:22.375Z", Instant.now().toString());
                hooks.add(Fixtures.parse(body));
                aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(fleet.actions().sent(body)));
            }
            Map<String, String> settings = Jar.settings(queue, "src/test/resources/profiles/status-page-it.yaml",
                    URI.create(aws.sqsEndpoint()), dynamoDb.endpoint(), fleet.endpoint(), fleet.endpoint(), fleet.endpoint());
            settings.put("LIFEGUARD_HEALTH_PORT", Integer.toString(port));
            Process lifeguard = Jar.start(settings, Path.of("."), "status-page.log");
            try (HeadlessChromium browser = HeadlessChromium.start(1600, 900, Jar.LOGS.resolve("status-page-chromedriver.log"))) {
                // The page is opened once the refusal is in the dead-letter queue: the replica reads
                // the queue's depth at most every 30 s, so an earlier look could miss it that long.
                Fixtures.awaitUntil("the refused message dead-lettered and the management port answering", PATIENCE,
                        () -> depth(aws, deadLetters) == 1 && answers(port));
                browser.open(URI.create("http://127.0.0.1:" + port + "/"));

                String parked = "#in-flight tr[data-state='PARKED']";
                String countdown = parked + " td[data-timeout='heartbeat']";
                Fixtures.awaitUntil("a drain parked on its command, its heartbeat timeout known", PATIENCE,
                        () -> !List.of("", "null").contains(String.valueOf(browser.attribute(countdown, "data-seconds-left"))));
                LifecycleEvent first = hookWithKey(hooks, browser.attribute(parked, "data-key"));
                String commandId = fleet.commandsFor(first.instanceId()).get(0).commandId();
                assertEquals(commandId, browser.attribute(parked + " td.parked", "data-handle"), "parked on its SSM command");
                double before = secondsLeft(browser, countdown);
                Fixtures.awaitUntil("its heartbeat countdown to fall", Duration.ofSeconds(5), () -> secondsLeft(browser, countdown) < before);
                assertTrue(before - secondsLeft(browser, countdown) < 5, "counted down, not reset");
                assertTrue(secondsLeft(browser, parked + " td[data-timeout='global']") > 0, "the global timeout counts too");

                String group = "#groups tr[data-group='" + GROUP + "']";
                Fixtures.awaitUntil("the group full with two waiting", PATIENCE, () -> "2".equals(browser.attribute(group, "data-waiting")));
                assertEquals("1", browser.attribute(group, "data-in-flight"));
                assertEquals("1", browser.attribute(group, "data-max-in-flight"));
                assertTrue(browser.text(group + " td.slots").toLowerCase().contains("full"), browser.text(group + " td.slots"));
                assertEquals(2, browser.attributes("#in-flight tr[data-state='WAITING_FOR_SLOT']", "data-key").size());
                assertEquals("1", browser.attribute("#dead-letters", "data-messages"), "the refused message in the dead-letter figure");

                // The stand-in ends the command: the next look finds it done and the hook completes.
                fleet.commandDuration(first.instanceId(), Duration.ZERO);
                String ended = "#recent tr[data-key='" + first.idempotencyKey() + "']";
                Fixtures.awaitUntil("the drain in recent outcomes", PATIENCE, () -> browser.attribute(ended, "data-key") != null);
                assertEquals("SUCCEEDED", browser.attribute(ended, "data-outcome"));
                assertNull(browser.attribute("#in-flight tr[data-key='" + first.idempotencyKey() + "']", "data-key"), "no longer in flight");
                assertEquals(1, fleet.completions(first.actionToken()).size());
                Fixtures.awaitUntil("the next drain parked in the freed slot, one still waiting", PATIENCE,
                        () -> browser.attributes(parked, "data-key").size() == 1 && "1".equals(browser.attribute(group, "data-waiting")));
                browser.screenshot(SCREENSHOT);
            } finally {
                lifeguard.destroy();
                lifeguard.waitFor(40, TimeUnit.SECONDS);
            }
        }
    }

    private static LifecycleEvent hookWithKey(List<LifecycleEvent> hooks, String key) {
        return hooks.stream().filter(hook -> hook.idempotencyKey().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no hook sent has the key " + key));
    }

    private static double secondsLeft(HeadlessChromium browser, String countdown) {
        return Double.parseDouble(browser.attribute(countdown, "data-seconds-left"));
    }

    private static int depth(LocalAws aws, String queueUrl) {
        return Integer.parseInt(aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
    }

    /** True when the management port answers its liveness check. */
    private static boolean answers(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/observe/health/live")
                    .toURL().openConnection();
            connection.setConnectTimeout(500);
            return connection.getResponseCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }
}
