package dev.lifeguard.steps.salt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.lifeguard.steps.salt.SaltApiStandIn.FAR_EXPIRE;
import static dev.lifeguard.steps.salt.SaltApiStandIn.GROUP;
import static dev.lifeguard.steps.salt.SaltApiStandIn.MINION;
import static dev.lifeguard.steps.salt.SaltApiStandIn.PASSWORD;
import static dev.lifeguard.steps.salt.SaltApiStandIn.TOKEN;
import static dev.lifeguard.steps.salt.SaltApiStandIn.loginAnswer;
import static dev.lifeguard.steps.salt.SaltApiStandIn.wheel;
import static dev.lifeguard.steps.salt.SaltApiStandIn.wheelReturn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.lifeguard.MovingClock;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Secrets;
import dev.lifeguard.steps.StepOutcome;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the Salt steps log in to salt-api and judge its refusals, over the wire: one login at a
 * time per endpoint and user, shared by every request that needs a token; a refused token
 * replaced once; a permission problem only when a new token or the login itself is refused.
 * Concurrent requests are lined up with latches and the log, never with a delay.
 */
class SaltApiLoginsTest {
    /** A token salt-api issues and then forgets (a restart of salt-api or of the master). */
    private static final String FORGOTTEN = "0a4c8e2f6b1d3f5a7c9e0b2d4f6a8c0e1f3a5c7e";
    private static final String WAITING = "waiting for the login under way";
    private static final int LAUNCHES = 5;

    private static SaltApiStandIn salt;
    private static CapturedLog log;
    private ExecutorService pool;

    @BeforeAll
    static void start() {
        salt = SaltApiStandIn.start();
        log = CapturedLog.start("salt-api-logins-test");
    }

    @AfterAll
    static void stop() {
        log.close();
        salt.stop();
    }

    @BeforeEach
    void reset() {
        salt.reset();
        log.clear();
        pool = Executors.newFixedThreadPool(LAUNCHES);
    }

    @AfterEach
    void thePasswordAndTheTokensAreNeverLogged() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        for (String line : log.lines()) {
            assertFalse(line.contains(PASSWORD), "logged the password: " + line);
            assertFalse(line.contains(TOKEN), "logged the token: " + line);
            assertFalse(line.contains(FORGOTTEN), "logged the token: " + line);
        }
    }

    @Test
    void aRestartBetweenTheLoginAndTheFirstRequestsCostsOneLoginAndEveryLaunchSucceeds() throws Exception {
        // The first login's token is forgotten before any request with it arrives; the next login's works.
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(loginAnswer(FORGOTTEN, FAR_EXPIRE)).willSetStateTo("restarted"));
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs("restarted")
                .willReturn(loginAnswer(TOKEN, FAR_EXPIRE)).willSetStateTo("renewed"));
        salt.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(FORGOTTEN))
                .willReturn(aResponse().withStatus(401).withBody("<html>401 Unauthorized</html>")));
        List<String> instances = new ArrayList<>();
        for (int i = 0; i < LAUNCHES; i++) {
            String instance = "i-0123456789abcdef" + i;
            instances.add(instance);
            salt.stubLaunch(GROUP + "-" + instance, "2026120117010212345" + i);
        }
        HeldLogin held = new HeldLogin();
        SaltApi api = new SaltApi(held.secrets);

        // Five launches accept their keys and run state.apply at once, all needing a token.
        List<Future<StepOutcome>> launches = all(instances.stream().<Callable<StepOutcome>>map(instance ->
                () -> new SaltAcceptKey(null, api).run(salt.request("salt-accept", instance, Map.of("poll-interval", 1)))).toList());
        held.releaseOnceTheOthersWait();

        for (int i = 0; i < LAUNCHES; i++) {
            String minion = GROUP + "-" + instances.get(i);
            StepOutcome outcome = launches.get(i).get(30, TimeUnit.SECONDS);
            assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
            assertEquals("key " + minion + " accepted; state.sls on " + minion + " (jid 2026120117010212345" + i + "): 2 states,"
                    + " 1 changed", outcome.detail());
        }
        List<ServeEvent> served = salt.served();
        int firstRefusal = indexOf(served, e -> e.getResponse().getStatus() == 401);
        assertEquals(1, count(served.subList(0, firstRefusal), SaltApiLoginsTest::isLogin), "logins before the restart");
        assertEquals(1, count(served.subList(firstRefusal, served.size()), SaltApiLoginsTest::isLogin), "logins after it");
        assertEquals(LAUNCHES, count(served, e -> e.getResponse().getStatus() == 401),
                "each launch's first request was refused once, none twice");
        assertEquals(LAUNCHES, log.count("refused its token for wheel key.name_match (401); logging in again"), () -> log.lines().toString());
        assertEquals(0, log.count("permission problem"), () -> log.lines().toString());
    }

    @Test
    void concurrentFirstRequestsShareOneLogin() throws Exception {
        salt.stubLogin();
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));
        HeldLogin held = new HeldLogin();
        SaltApi api = new SaltApi(held.secrets);

        List<Future<StepOutcome>> deletes = all(java.util.Collections.nCopies(LAUNCHES,
                () -> new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()))));
        held.releaseOnceTheOthersWait();

        for (Future<StepOutcome> delete : deletes) {
            assertEquals("ALREADY_DONE", delete.get(30, TimeUnit.SECONDS).status());
        }
        assertEquals(1, salt.logins());
        salt.wire.verify(LAUNCHES, postRequestedFor(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(TOKEN)));
        // Later requests use the same token.
        new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));
        assertEquals(1, salt.logins());
    }

    @Test
    void aLoginThatFailsFailsTheRequestsThatWaitedForItAndTheNextRequestLogsInAgain() throws Exception {
        salt.wire.stubFor(salt.login().inScenario("master").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("Salt Master is not available.")).willSetStateTo("up"));
        salt.wire.stubFor(salt.login().inScenario("master").whenScenarioStateIs("up").willReturn(loginAnswer(TOKEN, FAR_EXPIRE)));
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));
        HeldLogin held = new HeldLogin();
        SaltApi api = new SaltApi(held.secrets);

        List<Future<StepOutcome>> deletes = all(java.util.Collections.nCopies(LAUNCHES,
                () -> new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()))));
        held.releaseOnceTheOthersWait();

        for (Future<StepOutcome> delete : deletes) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> delete.get(30, TimeUnit.SECONDS));
            assertInstanceOf(SaltApi.Unavailable.class, failed.getCause());
            assertTrue(failed.getCause().getMessage().contains("answered 503 to login"), failed.getCause()::getMessage);
            assertTransient(failed.getCause());
        }
        assertEquals(1, salt.logins());
        assertEquals("ALREADY_DONE", new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of())).status());
        assertEquals(2, salt.logins());
    }

    @Test
    void badCredentialsAreAPermissionProblemThatSaysWhatToCheckWithoutThePassword() {
        salt.wire.stubFor(salt.login().willReturn(aResponse().withStatus(401)
                .withBody("<html>Could not authenticate using provided credentials</html>")));

        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of())));

        String message = error.getMessage();
        assertTrue(message.contains("permission problem: it refused the login (401)"), message);
        assertTrue(message.contains("check the username 'lifeguard', the password at env:SALT_API_PASSWORD"), message);
        assertTrue(message.contains("external_auth in the master config lists the user under pam"), message);
        assertFalse(message.contains(PASSWORD), message);
        assertEquals(List.of("/login"), salt.paths());
        assertEquals(1, log.count("permission problem: it refused the login (401)"), () -> log.lines().toString());
    }

    @Test
    void aRequestRefusedAgainWithATokenJustIssuedIsAPermissionProblem() {
        salt.stubLogin();
        salt.wire.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(401)));

        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of())));

        String message = error.getMessage();
        assertTrue(message.contains("permission problem: it refused wheel key.name_match (401) again with a token it had just issued"),
                message);
        assertTrue(message.contains("check that external_auth in the master config gives user 'lifeguard' (eauth pam) this function"),
                message);
        assertEquals(List.of("/login", "/", "/login", "/"), salt.paths());
        assertEquals(1, log.count("refused its token for wheel key.name_match (401); logging in again"), () -> log.lines().toString());
    }

    @Test
    void oneRefusalThenSuccessIsSuccess() throws Exception {
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(loginAnswer(FORGOTTEN, FAR_EXPIRE)).willSetStateTo("restarted"));
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs("restarted").willReturn(loginAnswer(TOKEN, FAR_EXPIRE)));
        salt.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(FORGOTTEN)).willReturn(aResponse().withStatus(401)));
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{\"minions\": [\"" + MINION + "\"]}"));
        salt.stubLowstate(wheel("key.delete_dict", "{\"minions\": [\"" + MINION + "\"]}"), wheelReturn("{}"));

        StepOutcome outcome = new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of()));

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(List.of("/login", "/", "/login", "/", "/"), salt.paths());
    }

    @Test
    void a403ForATokenIsJudgedAsA401() throws Exception {
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(loginAnswer(FORGOTTEN, FAR_EXPIRE)).willSetStateTo("restarted"));
        salt.wire.stubFor(salt.login().inScenario("restart").whenScenarioStateIs("restarted").willReturn(loginAnswer(TOKEN, FAR_EXPIRE)));
        salt.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(FORGOTTEN)).willReturn(aResponse().withStatus(403)));
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));

        assertEquals("ALREADY_DONE", new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of())).status());

        salt.wire.stubFor(post(urlEqualTo("/")).atPriority(1).willReturn(aResponse().withStatus(403)));
        PermanentStepException denied = assertThrows(PermanentStepException.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of())));
        assertTrue(denied.getMessage().contains("permission problem: it refused wheel key.name_match (403) again"), denied::getMessage);
    }

    @Test
    void aCachedTokenRefusedAfterARestartIsReplacedAndTheRequestRepeated() throws Exception {
        salt.stubLogin();
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));
        SaltApi api = api();
        new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));
        // salt-api restarts: the cached token is refused; the next login gives a new one.
        String fresh = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
        salt.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(TOKEN)).atPriority(1)
                .willReturn(aResponse().withStatus(401)));
        salt.wire.stubFor(salt.login().atPriority(1).willReturn(loginAnswer(fresh, FAR_EXPIRE)));
        salt.stubLowstate(fresh, wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));

        StepOutcome outcome = new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));

        assertEquals("ALREADY_DONE", outcome.status());
        assertEquals(List.of("/login", "/", "/", "/login", "/"), salt.paths());
        assertTrue(log.lines().stream().noneMatch(line -> line.contains(fresh)), () -> log.lines().toString());
    }

    @Test
    void aTokenIsReusedUntilItsExpiryLessAMinute() throws Exception {
        MovingClock clock = new MovingClock();
        double expire = clock.instant().plus(Duration.ofHours(2)).getEpochSecond();
        salt.wire.stubFor(salt.login().willReturn(loginAnswer(TOKEN, expire)));
        salt.stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));
        SaltApi api = new SaltApi(secrets(), HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), clock);

        new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));
        clock.advance(Duration.ofMinutes(119).minusSeconds(1));
        new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));
        assertEquals(1, salt.logins());

        clock.advance(Duration.ofSeconds(1));
        new SaltDeleteKey(null, api).run(salt.request("salt-delete-key", Map.of()));
        assertEquals(2, salt.logins());
        assertEquals(List.of("/login", "/", "/", "/login", "/"), salt.paths());
    }

    @Test
    void a5xxARefusedConnectionAndATimeoutAreTransient() throws Exception {
        salt.stubLogin();
        salt.wire.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(503).withBody("Service Unavailable")));
        SaltApi.Unavailable unavailable = assertThrows(SaltApi.Unavailable.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of())));
        assertTrue(unavailable.getMessage().contains("answered 503 to wheel key.name_match: Service Unavailable"),
                unavailable::getMessage);
        assertTransient(unavailable);

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Map<String, Object> nowhere = new HashMap<>(Map.of("url", "http://127.0.0.1:" + closed));
        SaltApi.Unavailable refused = assertThrows(SaltApi.Unavailable.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", nowhere)));
        assertTrue(refused.getMessage().contains("could not be reached for login"), refused::getMessage);
        assertTransient(refused);

        salt.wire.stubFor(salt.login().atPriority(1).willReturn(loginAnswer(TOKEN, FAR_EXPIRE).withFixedDelay(5_000)));
        SaltApi.Unavailable slow = assertThrows(SaltApi.Unavailable.class,
                () -> new SaltDeleteKey(null, api()).run(salt.request("salt-delete-key", Map.of("timeout", 1))));
        assertTrue(slow.getMessage().contains("did not answer login within 1 s"), slow::getMessage);
        assertTransient(slow);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * The password for the logins of one test, whose first read holds that login until the
     * other requests have said that they wait for it: with logins not shared, they never say so.
     */
    private static final class HeldLogin {
        private final CountDownLatch release = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);
        final Secrets secrets = new Secrets(null, name -> {
            if (first.getAndSet(false)) {
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        fail("the first login was never let through");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return "SALT_API_PASSWORD".equals(name) ? PASSWORD : null;
        });

        void releaseOnceTheOthersWait() throws InterruptedException {
            log.await(WAITING, LAUNCHES - 1);
            release.countDown();
        }
    }

    /** Starts every task at once, from a latch, on threads of their own. */
    private <T> List<Future<T>> all(List<Callable<T>> tasks) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = tasks.stream().map(task -> pool.submit(() -> {
            go.await();
            return task.call();
        })).toList();
        go.countDown();
        return futures;
    }

    private static SaltApi api() {
        return new SaltApi(secrets());
    }

    private static Secrets secrets() {
        return new Secrets(null, Map.of("SALT_API_PASSWORD", PASSWORD)::get);
    }

    /** What the engine retries: nothing in the chain says permanent (it walks the causes). */
    private static void assertTransient(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertFalse(t instanceof PermanentStepException || t instanceof IllegalArgumentException, "permanent: " + t);
        }
    }

    private static boolean isLogin(ServeEvent event) {
        return event.getRequest().getUrl().equals("/login");
    }

    private static int count(List<ServeEvent> events, java.util.function.Predicate<ServeEvent> which) {
        return (int) events.stream().filter(which).count();
    }

    private static int indexOf(List<ServeEvent> events, java.util.function.Predicate<ServeEvent> which) {
        for (int i = 0; i < events.size(); i++) {
            if (which.test(events.get(i))) {
                return i;
            }
        }
        return fail("no such request in " + events.stream().map(e -> e.getRequest().getUrl()).toList());
    }
}
