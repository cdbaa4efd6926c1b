package dev.lifeguard.steps.salt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.lifeguard.steps.salt.SaltApiStandIn.GROUP;
import static dev.lifeguard.steps.salt.SaltApiStandIn.INSTANCE;
import static dev.lifeguard.steps.salt.SaltApiStandIn.JID;
import static dev.lifeguard.steps.salt.SaltApiStandIn.MINION;
import static dev.lifeguard.steps.salt.SaltApiStandIn.PASSWORD;
import static dev.lifeguard.steps.salt.SaltApiStandIn.TOKEN;
import static dev.lifeguard.steps.salt.SaltApiStandIn.event;
import static dev.lifeguard.steps.salt.SaltApiStandIn.json;
import static dev.lifeguard.steps.salt.SaltApiStandIn.wheel;
import static dev.lifeguard.steps.salt.SaltApiStandIn.wheelReturn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Secrets;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The Salt steps with {@code transport: api} against a salt-api stand-in ({@link SaltApiStandIn})
 * that checks each request exactly. How logins are shared and refusals judged is in
 * {@link SaltApiLoginsTest}.
 */
class SaltApiTest {
    private static SaltApiStandIn salt;
    private static CapturedLog log;

    private final Secrets secrets = new Secrets(null, Map.of("SALT_API_PASSWORD", PASSWORD)::get);

    @BeforeAll
    static void start() {
        salt = SaltApiStandIn.start();
        log = CapturedLog.start("salt-api-test");
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
    }

    @AfterEach
    void thePasswordAndTheTokenAreNeverLogged() {
        for (String line : log.lines()) {
            assertFalse(line.contains(PASSWORD), "logged the password: " + line);
            assertFalse(line.contains(TOKEN), "logged the token: " + line);
        }
    }

    @Test
    void keyAcceptLogsInOnceThenAcceptsThePendingKeyByItsLiteralId() throws Exception {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{\"minions_pre\": [\"" + MINION + "\"]}"));
        stubLowstate(wheel("key.accept_dict", "{\"minions_pre\": [\"" + MINION + "\"]}"),
                wheelReturn("{\"minions\": [\"" + MINION + "\"]}"));

        StepOutcome outcome = new SaltAcceptKey(null, api()).run(request("salt-accept", Map.of("highstate", false)));

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals("key " + MINION + " accepted", outcome.detail());
        salt.wire.verify(1, postRequestedFor(urlEqualTo("/login")));
        salt.wire.verify(2, postRequestedFor(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(TOKEN)));
        assertEquals(List.of("/login", "/", "/"), paths());
        assertFalse(outcome.detail().contains(PASSWORD));
    }

    @Test
    void aKeyAlreadyAcceptedIsDoneAndNotAcceptedAgain() throws Exception {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{\"minions\": [\"" + MINION + "\"]}"));

        StepOutcome outcome = new SaltAcceptKey(null, api()).run(request("salt-accept", Map.of("highstate", false)));

        assertEquals("ALREADY_DONE", outcome.status(), outcome.detail());
        assertEquals(List.of("/login", "/"), paths());
    }

    @Test
    void noKeyFromTheMinionYetIsAFailureARetryMayFix() {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new SaltAcceptKey(null, api()).run(request("salt-accept", Map.of("highstate", false))));

        assertTrue(error.getMessage().contains("no key from minion " + MINION), error::getMessage);
    }

    @Test
    void aStateRunIsStartedParkedAndResumedUntilTheMinionReturns() throws Exception {
        stubLogin();
        stubLowstate("{\"client\": \"local_async\", \"tgt\": [\"" + MINION + "\"], \"tgt_type\": \"list\","
                        + " \"fun\": \"state.sls\", \"arg\": [\"clean\"]}",
                "{\"return\": [{\"jid\": \"" + JID + "\", \"minions\": [\"" + MINION + "\"]}]}");
        // The job: not finished on the first look, finished on the second.
        salt.wire.stubFor(job().inScenario("job").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(json("{\"info\": [{\"jid\": \"" + JID + "\", \"Function\": \"state.sls\", \"Minions\": [\"" + MINION
                        + "\"], \"Result\": {}}], \"return\": [{}]}"))
                .willSetStateTo("done"));
        salt.wire.stubFor(job().inScenario("job").whenScenarioStateIs("done")
                .willReturn(json(finishedJob("true", "true"))));
        StepRequest request = request("salt-state", Map.of("poll-interval", 10));
        SaltState step = new SaltState(null, api());

        String handle = step.start(request);
        assertEquals(JID, handle);
        assertNull(step.check(request, handle), "the minion has not returned yet");

        // Another worker takes the event over with the recorded job id: it logs in itself and looks on.
        SaltState takeover = new SaltState(null, api());
        StepOutcome outcome = takeover.check(request, handle);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals("state.sls on " + MINION + " (jid " + JID + "): 2 states, 1 changed", outcome.detail());
        assertEquals(java.time.Duration.ofSeconds(10), step.checkEvery(request));
        assertEquals(List.of("/login", "/", "/jobs/" + JID, "/login", "/jobs/" + JID), paths());
        salt.wire.verify(2, getRequestedFor(urlEqualTo("/jobs/" + JID)).withHeader("X-Auth-Token", equalTo(TOKEN)));
    }

    @Test
    void aStateThatFailedFailsTheStepWithItsComment() throws Exception {
        stubLogin();
        salt.wire.stubFor(job().willReturn(json(finishedJob("true", "false"))));
        StepRequest request = request("salt-state", Map.of());

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> new SaltState(null, api()).check(request, JID));

        assertTrue(error.getMessage().contains("1 failed: purge_cache: Command \"rm\" run failed"), error::getMessage);
    }

    @Test
    void saltAcceptStartsTheHighstateAfterTheKeyAndNamesBothWhenItEnds() throws Exception {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{\"minions_pre\": [\"" + MINION + "\"]}"));
        stubLowstate(wheel("key.accept_dict", "{\"minions_pre\": [\"" + MINION + "\"]}"),
                wheelReturn("{\"minions\": [\"" + MINION + "\"]}"));
        stubLowstate("{\"client\": \"local_async\", \"tgt\": [\"" + MINION + "\"], \"tgt_type\": \"list\","
                        + " \"fun\": \"state.apply\", \"arg\": []}",
                "{\"return\": [{\"jid\": \"" + JID + "\", \"minions\": [\"" + MINION + "\"]}]}");
        salt.wire.stubFor(job().willReturn(json(finishedJob("true", "true"))));
        StepRequest request = request("salt-accept", Map.of());
        SaltAcceptKey step = new SaltAcceptKey(null, api());

        String handle = step.start(request);
        StepOutcome outcome = step.check(request, handle);

        assertEquals(JID, handle);
        assertEquals("key " + MINION + " accepted; state.sls on " + MINION + " (jid " + JID + "): 2 states, 1 changed",
                outcome.detail());
    }

    @Test
    void aMinionThatIsNotConnectedStartsNoJob() {
        stubLogin();
        stubLowstate("{\"client\": \"local_async\", \"tgt\": [\"" + MINION + "\"], \"tgt_type\": \"list\","
                + " \"fun\": \"state.sls\", \"arg\": [\"clean\"]}", "{\"return\": [{}]}");

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new SaltState(null, api()).start(request("salt-state", Map.of())));

        assertTrue(error.getMessage().contains("no minion " + MINION + " is connected"), error::getMessage);
    }

    @Test
    void keyDeleteDeletesTheKeyInTheStatusItIsIn() throws Exception {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{\"minions\": [\"" + MINION + "\"]}"));
        stubLowstate(wheel("key.delete_dict", "{\"minions\": [\"" + MINION + "\"]}"), wheelReturn("{}"));

        StepOutcome outcome = new SaltDeleteKey(null, api()).run(request("salt-delete-key", Map.of()));

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals("key " + MINION + " deleted (was minions)", outcome.detail());
        assertEquals(List.of("/login", "/", "/"), paths());
    }

    @Test
    void aKeyAlreadyGoneIsDoneWithoutADelete() throws Exception {
        stubLogin();
        stubLowstate(wheel("key.name_match", "\"" + MINION + "\""), wheelReturn("{}"));

        StepOutcome outcome = new SaltDeleteKey(null, api()).run(request("salt-delete-key", Map.of()));

        assertEquals("ALREADY_DONE", outcome.status());
        assertEquals(List.of("/login", "/"), paths());
    }

    @Test
    void aLookThatFindsSaltApiDownKeepsWaiting() throws Exception {
        stubLogin();
        salt.wire.stubFor(job().willReturn(aResponse().withStatus(502)));

        assertNull(new SaltState(null, api()).check(request("salt-state", Map.of()), JID));
    }

    @Test
    void anUnsafeMinionIdIsRefusedBeforeAnyRequest() {
        Map<String, Object> config = new HashMap<>(settings());
        LifecycleEvent event = event("batch *", INSTANCE);
        for (var step : List.of(new SaltAcceptKey(null, api()), new SaltState(null, api()), new SaltDeleteKey(null, api()))) {
            StepRequest request = new StepRequest(event, InstanceFacts.unknown(INSTANCE), new StepConfig(step.type(), config),
                    false, Heartbeat.NONE);
            PermanentStepException error = assertThrows(PermanentStepException.class, () -> {
                if (step instanceof dev.lifeguard.steps.WaitingStep waiting) {
                    waiting.start(request);
                } else {
                    step.run(request);
                }
            });
            assertTrue(error.getMessage().contains("is not a safe Salt target"), error::getMessage);
        }
        assertEquals(List.of(), paths());
    }

    @Test
    void aPasswordWrittenInClearIsRefusedWithoutQuotingIt() {
        Map<String, Object> config = new HashMap<>(settings());
        config.put("password", PASSWORD);

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new SaltDeleteKey(null, api()).run(request("salt-delete-key", config)));

        assertFalse(error.getMessage().contains(PASSWORD));
        assertTrue(error.getMessage().contains("never the password itself"), error::getMessage);
        assertEquals(List.of(), paths());
    }

    @Test
    void plainHttpIsRefusedExceptToThisHost() {
        Map<String, Object> config = new HashMap<>(settings());
        config.put("url", "http://salt.example.com:8000");

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new SaltDeleteKey(null, api()).run(request("salt-delete-key", config)));

        assertTrue(error.getMessage().contains("must be https://"), error::getMessage);
    }

    @Test
    void aDryRunSaysWhatItWouldAskAndAsksNothing() throws Exception {
        StepRequest request = new StepRequest(event(GROUP, INSTANCE), InstanceFacts.unknown(INSTANCE),
                new StepConfig("salt-state", settings()), true, Heartbeat.NONE);

        StepOutcome outcome = new SaltState(null, api()).run(request);

        assertEquals("SKIPPED", outcome.status());
        assertTrue(outcome.detail().contains("state.sls clean on " + MINION), outcome.detail());
        assertEquals(List.of(), paths());
    }

    @Test
    void theLocalTransportStillRunsLocallyAndCarriesItsOutcomeInTheHandle() throws Exception {
        SaltState step = new SaltState(null, api());
        StepOutcome outcome = new StepOutcome("SUCCEEDED", "state.sls clean on x: 1 states, 0 changed");
        String handle = SaltWaits.done(outcome);

        assertEquals(outcome, step.check(request("salt-state", Map.of()), handle));
        assertThrows(IllegalArgumentException.class, () -> SaltApi.chosen(new StepRequest(event(GROUP, INSTANCE),
                InstanceFacts.unknown(INSTANCE), new StepConfig("salt-state", Map.of("transport", "ssh")), false, Heartbeat.NONE)));
    }

    @Test
    void secretsComeFromAFileTheEnvironmentOrSsmParameterStore(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, PASSWORD + "\n");
        salt.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter"))
                .withRequestBody(equalToJson("{\"Name\": \"/lifeguard/salt-api\", \"WithDecryption\": true}"))
                .willReturn(aResponse().withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"Parameter\": {\"Name\": \"/lifeguard/salt-api\", \"Type\": \"SecureString\", \"Value\": \""
                                + PASSWORD + "\", \"Version\": 1}}")));
        SsmClient ssm = SsmClient.builder().endpointOverride(java.net.URI.create(salt.wire.baseUrl())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"))).build();
        Secrets secrets = new Secrets(ssm, Map.of("SALT_API_PASSWORD", PASSWORD)::get);

        assertEquals(PASSWORD, secrets.read("file:" + file));
        assertEquals(PASSWORD, secrets.read("env:SALT_API_PASSWORD"));
        assertEquals(PASSWORD, secrets.read("ssm:/lifeguard/salt-api"));
        assertThrows(PermanentStepException.class, () -> secrets.read("env:UNSET"));
        assertThrows(PermanentStepException.class, () -> secrets.read("file:" + dir.resolve("missing")));
        IllegalArgumentException clear = assertThrows(IllegalArgumentException.class, () -> secrets.read(PASSWORD));
        assertFalse(clear.getMessage().contains(PASSWORD));
        salt.wire.verify(1, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetParameter")));
    }

    @Test
    void theReadmesProfileExampleLoadsAndEachStepSaysWhatItWouldAsk(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("### salt-api transport"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("```\n", section.indexOf("```yaml\n") + 8));
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml);
        List<dev.lifeguard.steps.Step> steps = List.of(new SaltAcceptKey(null, api()), new SaltState(null, api()), new SaltDeleteKey(null, api()));
        dev.lifeguard.profiles.Profiles profiles = new dev.lifeguard.profiles.ProfileLoader(steps.stream().collect(
                java.util.stream.Collectors.toMap(dev.lifeguard.steps.Step::type, dev.lifeguard.steps.Step::settings))).load(file);
        int i = 0;
        for (String kind : List.of("launching", "terminating", "terminated")) {
            dev.lifeguard.profiles.StepSpec spec = profiles.forGroup(GROUP).stepsFor(kind).get(0);
            StepOutcome outcome = steps.get(i++).run(new StepRequest(event(GROUP, INSTANCE), InstanceFacts.unknown(INSTANCE),
                    spec.config(), true, Heartbeat.NONE));
            assertEquals("SKIPPED", outcome.status(), kind);
            assertTrue(outcome.detail().contains("salt-api https://salt.example.com:8000 (user 'lifeguard', eauth pam)"), outcome.detail());
        }
        assertEquals(List.of(), paths());
    }

    // ---------------------------------------------------------------- shorthands

    private SaltApi api() {
        return new SaltApi(secrets);
    }

    private static void stubLogin() {
        salt.stubLogin();
    }

    private static void stubLowstate(String chunk, String reply) {
        salt.stubLowstate(chunk, reply);
    }

    private static MappingBuilder job() {
        return SaltApiStandIn.job(JID);
    }

    private static String finishedJob(String first, String second) {
        return SaltApiStandIn.finishedJob(MINION, JID, first, second);
    }

    private static List<String> paths() {
        return salt.paths();
    }

    private static Map<String, Object> settings() {
        return salt.settings();
    }

    private static StepRequest request(String type, Map<String, Object> extra) {
        return salt.request(type, extra);
    }
}
