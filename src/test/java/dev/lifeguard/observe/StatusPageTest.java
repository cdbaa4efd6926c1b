package dev.lifeguard.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lifeguard.Fixtures;
import dev.lifeguard.local.HeadlessChromium;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status page's own behaviour in a real browser, against a replica whose answers the test
 * writes (the page's files as packaged, from the classpath; {@code observe/status} built here
 * to the contract, its countdowns falling with the clock as the ledger's do). What the page
 * shows of a real replica is {@code dev.lifeguard.jar.StatusPageIT}'s part.
 */
class StatusPageTest {
    private static final Duration PATIENCE = Duration.ofSeconds(8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");
    private static final String HOSTILE = "<img src=x onerror=\"document.body.dataset.owned='yes'\">";

    private static HttpServer replica;
    private static HeadlessChromium browser;
    private static final Instant START = Instant.now();
    private static final Set<String> methods = ConcurrentHashMap.newKeySet();
    private static volatile boolean answering = true;
    private static final String UNAVAILABLE =
            "{\"available\": false, \"reason\": \"the task role may not dynamodb:Query the table's by-open index\"}";
    private static volatile String fleet = UNAVAILABLE;
    private static URI page;

    @BeforeAll
    static void openThePage() throws IOException {
        replica = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        replica.createContext("/", StatusPageTest::file);
        replica.createContext("/observe/status", exchange -> answer(exchange, answering ? 200 : 503,
                answering ? status().toString() : "{\"error\":\"down\"}"));
        replica.createContext("/observe/fleet", exchange -> answer(exchange, 200, fleet));
        replica.start();
        page = URI.create("http://127.0.0.1:" + replica.getAddress().getPort() + "/");
        browser = HeadlessChromium.start(1400, 900, Path.of("target", "status-page-test-chromedriver.log"));
        open();
    }

    /** Opens the page afresh, so that it asks for the fleet at once rather than in up to 10 s. */
    private static void open() {
        browser.open(page);
        Fixtures.awaitUntil("the page's first answer", PATIENCE, () -> "ok".equals(browser.attribute("body", "data-status")));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
        if (replica != null) {
            replica.stop(0);
        }
    }

    @Test
    void countdownsFallEachSecondAndTurnAmberUnderAThirdAndRedUnderATenthWithAWord() throws IOException {
        String parked = "tr[data-key='k-parked'] td[data-timeout='heartbeat']";
        double first = secondsLeft(parked);
        Fixtures.awaitUntil("the parked hook's countdown to move", PATIENCE, () -> secondsLeft(parked) < first);
        double second = secondsLeft(parked);
        // Each second's tick takes a second off; an answer arriving in between sets the replica's own figure.
        assertTrue(first - second < 3, () -> "fell by a second or so: " + first + " then " + second);
        assertTrue(secondsLeft("tr[data-key='k-parked'] td[data-timeout='global']") > second, "the global timeout is further off");

        assertEquals("ok", browser.attribute(parked, "data-level"));
        assertEquals("rgba(0, 0, 0, 0)", browser.style(parked, "background-color"));
        String low = "tr[data-key='k-low'] td[data-timeout='heartbeat']";
        assertEquals("low", browser.attribute(low, "data-level"));
        assertTrue(browser.text(low).toLowerCase().contains("low"), "a word beside the colour");
        assertEquals("rgb(255, 241, 194)", browser.style(low, "background-color"), "amber");
        String critical = "tr[data-key='k-critical'] td[data-timeout='heartbeat']";
        assertEquals("critical", browser.attribute(critical, "data-level"));
        assertTrue(browser.text(critical).toLowerCase().contains("critical"));
        assertEquals("rgb(253, 226, 225)", browser.style(critical, "background-color"), "red");
        String notAHook = "tr[data-key='k-notification'] td[data-timeout='heartbeat']";
        assertEquals("unknown", browser.attribute(notAHook, "data-level"));
        assertEquals("unknown", browser.text(notAHook));

        assertEquals(List.of("k-critical", "k-low", "k-parked", "k-waiting", "k-notification"),
                browser.attributes("#in-flight tbody tr", "data-key"), "the nearest timeout first");
        assertEquals("5", browser.text("#in-flight-count"));
        browser.screenshot(Path.of("target", "status-page-levels.png"));
    }

    @Test
    void aParkedStepShowsItsHandleNextLookHeartbeatsAndHowLongItHasRun() {
        String row = "tr[data-key='k-parked']";
        assertEquals("parked", browser.text(row + " td.state"));
        assertEquals("cmd-0f1e2d3c", browser.attribute(row + " td.parked", "data-handle"));
        assertTrue(browser.text(row + " td.parked").matches("(?s)cmd-0f1e2d3c\\s+next look in \\d+ s"),
                () -> browser.text(row + " td.parked"));
        assertTrue(browser.text(row + " td.heartbeats").matches("2 sent · OK\\nlast 1 min \\d+ s ago"), () -> browser.text(row + " td.heartbeats"));
        assertTrue(browser.text(row + " td.step").matches("drain \\(ssm-command\\) running \\d+ s"), () -> browser.text(row + " td.step"));
        String waiting = "tr[data-key='k-waiting']";
        assertEquals("waiting for slot", browser.text(waiting + " td.state"));
    }

    @Test
    void aGroupAtItsMaximumSaysFullWithItsWaitingEventsAndRecentOutcomesComeNewestFirst() {
        String full = "#groups tr[data-group='web-asg']";
        assertEquals("3", browser.attribute(full, "data-max-in-flight"));
        assertEquals("2", browser.attribute(full, "data-waiting"));
        assertTrue(browser.text(full + " td.slots").matches("3 / 3\\s*FULL"), () -> browser.text(full + " td.slots"));
        assertEquals("1 / no limit", browser.text("#groups tr[data-group='batch-asg'] td.slots"));

        assertEquals(List.of("k-done", "k-refused"), browser.attributes("#recent tbody tr", "data-key"));
        assertEquals("REFUSED", browser.attribute("#recent tr[data-key='k-refused']", "data-outcome"));
        assertEquals("3", browser.text("#dead-letters"));
        assertEquals("3", browser.attribute("#dead-letters", "data-messages"));
        assertEquals("lifeguard-page-test", browser.text("#replica"));
        assertEquals("3f9a0c1b2d4e", browser.text("#profiles-version"));
    }

    @Test
    void textFromEventsIsShownAsTextNeverAsMarkup() {
        assertEquals(HOSTILE, browser.text("#recent tr[data-key='k-refused'] td.reason"));
        assertEquals(0L, browser.script("return document.querySelectorAll('main img').length;"));
        assertNull(browser.attribute("body", "data-owned"));
    }

    @Test
    void theFleetShowsEveryReplicasEventsOrSaysInOneLineWhyNot() {
        try {
            fleet = "{\"available\": true, \"reason\": null, \"events\": ["
                    + "{\"key\": \"f-1\", \"kind\": \"TERMINATING\", \"group\": \"web-asg\", \"instance\": \"i-0aaa\","
                    + " \"hook\": \"drain-hook\", \"owner\": \"replica-a\", \"leaseUntil\": \"" + Instant.now().plusSeconds(60) + "\","
                    + " \"attempt\": 1, \"status\": \"CLAIMED\", \"steps\": [{\"name\": \"drain\", \"status\": \"WAITING\"}]},"
                    + "{\"key\": \"f-2\", \"kind\": \"LAUNCHING\", \"group\": \"web-asg\", \"instance\": \"i-0bbb\","
                    + " \"hook\": \"join-hook\", \"owner\": \"replica-b\", \"leaseUntil\": null, \"attempt\": 2,"
                    + " \"status\": \"CLAIMED\", \"steps\": []}],"
                    + " \"retained\": [{\"key\": \"r-1\", \"group\": \"web-asg\", \"instance\": \"i-0ccc\", \"hook\": \"drain-hook\","
                    + " \"since\": \"" + Instant.now().minusSeconds(600) + "\", \"state\": \"Terminating:Retained\","
                    + " \"error\": \"steps failed: clean FAILED\"}]}";
            open();
            Fixtures.awaitUntil("the fleet's events", PATIENCE, () -> browser.attributes("#fleet tbody tr", "data-key").size() == 2);
            assertEquals(List.of("replica-a", "replica-b"), browser.attributes("#fleet tbody tr", "data-owner"));
            assertTrue(browser.text("#fleet tr[data-key='f-1']").contains("drain: WAITING"), browser.text("#fleet tr[data-key='f-1']"));
            assertEquals(true, browser.script("return document.getElementById('fleet-note').hidden;"));
            Fixtures.awaitUntil("the retained instances", PATIENCE,
                    () -> browser.attributes("#retained tbody tr", "data-instance").equals(List.of("i-0ccc")));
            String retained = browser.text("#retained tr[data-key='r-1']");
            assertTrue(retained.contains("Terminating:Retained") && retained.contains("steps failed: clean FAILED"), retained);
        } finally {
            fleet = UNAVAILABLE;
        }
        open();
        Fixtures.awaitUntil("the fleet's answer", PATIENCE, () -> "false".equals(browser.script(
                "return String(document.getElementById('fleet-note').hidden);")));
        assertEquals("The fleet view is not available: the task role may not dynamodb:Query the table's by-open index",
                browser.text("#fleet-note"));
        assertEquals(true, browser.script("return document.getElementById('fleet').hidden;"));
        assertEquals(true, browser.script("return document.getElementById('retained').hidden;"));
    }

    @Test
    void whenTheReplicaDoesNotAnswerABannerSaysSoAndTheCountdownsKeepFalling() {
        String parked = "tr[data-key='k-parked'] td[data-timeout='heartbeat']";
        answering = false;
        try {
            Fixtures.awaitUntil("the banner", PATIENCE, () -> "failing".equals(browser.attribute("body", "data-status")));
            assertNull(browser.attribute("#banner", "hidden"));
            String banner = browser.text("#banner");
            assertTrue(banner.startsWith("Cannot read observe/status: HTTP 503. Failing since "), banner);
            assertTrue(banner.contains("what is below is the last answer, from "), banner);
            double before = secondsLeft(parked);
            Fixtures.awaitUntil("the countdown to fall without an answer", PATIENCE, () -> secondsLeft(parked) < before);
        } finally {
            answering = true;
        }
        Fixtures.awaitUntil("the banner gone with the next answer", PATIENCE, () -> "ok".equals(browser.attribute("body", "data-status")));
        assertEquals("", browser.attribute("#banner", "hidden"));
    }

    @Test
    void thePageChangesNothing() {
        assertEquals(0L, browser.script("return document.querySelectorAll('form, input, button, select, textarea').length;"));
        assertEquals(Set.of("GET"), Set.copyOf(methods), "only GETs reach the replica");
        assertFalse(methods.isEmpty());
    }

    private static double secondsLeft(String selector) {
        return Double.parseDouble(browser.attribute(selector, "data-seconds-left"));
    }

    // ---- the replica's side ----

    private static void file(HttpExchange exchange) throws IOException {
        methods.add(exchange.getRequestMethod());
        String name = exchange.getRequestURI().getPath().equals("/") ? "index.html" : exchange.getRequestURI().getPath().substring(1);
        try (InputStream in = StatusPageTest.class.getClassLoader().getResourceAsStream("status/" + name)) {
            if (in == null || name.contains("/")) {
                answer(exchange, 404, "{}");
                return;
            }
            byte[] body = in.readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void answer(HttpExchange exchange, int code, String json) throws IOException {
        methods.add(exchange.getRequestMethod());
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The contract's document, with every time counted from the test's start as the ledger counts from its events'. */
    private static ObjectNode status() {
        Instant now = Instant.now();
        double elapsed = Duration.between(START, now).toMillis() / 1000.0;
        ObjectNode status = JSON.createObjectNode();
        status.put("replica", "lifeguard-page-test");
        status.put("version", "0.1.0-test");
        status.put("at", now.toString());
        ArrayNode inFlight = status.putArray("inFlight");
        ObjectNode parked = hook(inFlight, "k-parked", "web-asg", "PARKED", 500 - elapsed, 90_000 - elapsed);
        parked.putObject("step").put("name", "drain").put("type", "ssm-command").put("runningSeconds", 42 + elapsed);
        parked.putObject("parked").put("handle", "cmd-0f1e2d3c").put("nextLookAt", now.plusSeconds(4).toString());
        parked.putObject("heartbeats").put("sent", 2).put("lastAt", now.minusSeconds(100).toString()).put("lastResult", "OK");
        hook(inFlight, "k-low", "web-asg", "RUNNING_STEP", 150 - elapsed, 80_000 - elapsed);
        hook(inFlight, "k-critical", "web-asg", "RUNNING_STEP", 40 - elapsed, 70_000 - elapsed);
        hook(inFlight, "k-waiting", "web-asg", "WAITING_FOR_SLOT", 590 - elapsed, 95_000 - elapsed);
        ObjectNode notification = hook(inFlight, "k-notification", "batch-asg", "RUNNING_STEP", null, null);
        notification.put("kind", "TERMINATED").putNull("hook").putNull("heartbeatTimeoutSeconds");
        ArrayNode groups = status.putArray("groups");
        groups.addObject().put("group", "web-asg").put("inFlight", 3).put("maxInFlight", 3).put("waiting", 2);
        groups.addObject().put("group", "batch-asg").put("inFlight", 1).putNull("maxInFlight").put("waiting", 0);
        ArrayNode recent = status.putArray("recent");
        ended(recent, "k-done", "SUCCEEDED", "CONTINUE", null, now.minusSeconds(5));
        ended(recent, "k-refused", "REFUSED", null, HOSTILE, now.minusSeconds(60));
        status.putObject("profiles").put("file", "config/profiles.yaml").put("version", "3f9a0c1b2d4e5f60")
                .put("loadedAt", START.minusSeconds(3600).toString());
        status.putObject("deadLetters").put("queue", "http://127.0.0.1:9324/000000000000/lifeguard-dlq").put("messages", 3)
                .put("readAt", now.minusSeconds(10).toString()).putNull("error");
        return status;
    }

    private static ObjectNode hook(ArrayNode inFlight, String key, String group, String state, Double heartbeatLeft, Double globalLeft) {
        ObjectNode hook = inFlight.addObject();
        hook.put("key", key).put("kind", "TERMINATING").put("group", group).put("instance", "i-0" + key.hashCode())
                .put("hook", "drain-hook").put("attempt", 1).put("state", state).putNull("step").putNull("parked");
        hook.putObject("heartbeats").put("sent", 0).putNull("lastAt").putNull("lastResult");
        hook.put("heartbeatTimeoutSeconds", 600).put("heartbeatSecondsLeft", heartbeatLeft).put("globalSecondsLeft", globalLeft);
        return hook;
    }

    private static void ended(ArrayNode recent, String key, String outcome, String result, String reason, Instant at) {
        recent.addObject().put("key", key).put("kind", "TERMINATING").put("group", "web-asg").put("instance", "i-0" + key.hashCode())
                .put("hook", "drain-hook").put("outcome", outcome).put("result", result).put("reason", reason).put("endedAt", at.toString());
    }
}
