package dev.lifeguard.steps.chef;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.MotoServer;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandRunner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * chef-cleanup over the Chef Server API against a WireMock Chef server that checks, for every
 * request it received, the 1.3 signature with the client's public key (the canonical request
 * rebuilt from what arrived: method, path, the hash of the body as received, timestamp, user id,
 * API version) and the exact sequence of requests.
 */
class ChefApiCleanupTest {
    private static final String INSTANCE = "i-0123456789abcdef0";
    private static final String SEARCH = "/organizations/acme/search/node?q=ec2_instance_id%3A" + INSTANCE;
    private WireMockServer chef;
    private final Map<String, String> env = new HashMap<>();
    private String pem;

    @BeforeEach
    void start() throws Exception {
        chef = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        chef.start();
        pem = Files.readString(ChefSignerTest.KEYS.resolve("client-pkcs1.pem"));
        env.put("CHEF_KEY", pem);
    }

    @AfterEach
    void stop() {
        chef.stop();
    }

    private Map<String, Object> settings(String key) {
        return Map.of("transport", "api", "server-url", "http://127.0.0.1:" + chef.port() + "/organizations/acme",
                "client-name", "lifeguard", "key", key, "timeout", 30);
    }

    private ChefCleanup step() {
        return new ChefCleanup(new CommandRunner(null), new ChefKeys(() -> {
            throw new AssertionError("no SSM here");
        }, () -> {
            throw new AssertionError("no Secrets Manager here");
        }, env::get), Clock.systemUTC());
    }

    private static StepRequest request(Map<String, Object> settings) {
        LifecycleEvent event = new LifecycleEvent(Kind.TERMINATING, Kind.TERMINATING.eventName(), Envelope.DIRECT, "web", INSTANCE,
                "hook", UUID.randomUUID().toString(), null, null, "m-1", null, null, null, null, null, null);
        return new StepRequest(event, InstanceFacts.unknown(INSTANCE), new StepConfig("chef-cleanup", settings), false, Heartbeat.NONE);
    }

    private void found(String... names) {
        StringBuilder rows = new StringBuilder();
        for (String name : names) {
            rows.append(rows.length() == 0 ? "" : ",").append("{\"url\":\"https://chef/nodes/x\",\"data\":{\"name\":\"").append(name).append("\"}}");
        }
        chef.stubFor(post(urlEqualTo(SEARCH)).willReturn(aResponse().withStatus(200)
                .withBody("{\"total\":" + names.length + ",\"start\":0,\"rows\":[" + rows + "]}")));
    }

    /** Every request, oldest first, each checked as a Chef server would; returns "METHOD url" lines. */
    private List<String> verifiedRequests() throws Exception {
        List<LoggedRequest> requests = new ArrayList<>(chef.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl())));
        List<String> seen = new ArrayList<>();
        for (LoggedRequest request : requests) {
            byte[] body = request.getBody() == null ? new byte[0] : request.getBody();
            String hash = Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(body));
            assertEquals(hash, request.getHeader("X-Ops-Content-Hash"), "the body's hash");
            assertEquals("algorithm=sha256;version=1.3", request.getHeader("X-Ops-Sign"));
            assertEquals("application/json", request.getHeader("Accept"));
            assertTrue(request.containsHeader("X-Chef-Version"));
            String timestamp = request.getHeader("X-Ops-Timestamp");
            assertTrue(Duration.between(Instant.parse(timestamp), Instant.now()).abs().toMinutes() < 2, timestamp);
            String path = URI.create(request.getUrl()).getRawPath();
            String canonical = "Method:" + request.getMethod().getName() + "\nPath:" + path + "\nX-Ops-Content-Hash:" + hash
                    + "\nX-Ops-Sign:version=1.3\nX-Ops-Timestamp:" + timestamp + "\nX-Ops-UserId:" + request.getHeader("X-Ops-Userid")
                    + "\nX-Ops-Server-API-Version:" + request.getHeader("X-Ops-Server-API-Version");
            StringBuilder signature = new StringBuilder();
            for (int n = 1; request.containsHeader("X-Ops-Authorization-" + n); n++) {
                assertTrue(request.getHeader("X-Ops-Authorization-" + n).length() <= 60);
                signature.append(request.getHeader("X-Ops-Authorization-" + n));
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(ChefSignerTest.publicKey());
            rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
            assertTrue(rsa.verify(Base64.getDecoder().decode(signature.toString())), "signature of " + request.getUrl());
            assertEquals("lifeguard", request.getHeader("X-Ops-Userid"));
            seen.add(request.getMethod().getName() + " " + request.getUrl()
                    + (body.length > 0 ? " " + new String(body, StandardCharsets.UTF_8) : ""));
        }
        return seen;
    }

    @Test
    void searchesByInstanceIdThenDeletesTheNodeAndTheClientEachSigned() throws Exception {
        found("web-1");
        chef.stubFor(delete(urlEqualTo("/organizations/acme/nodes/web-1")).willReturn(aResponse().withStatus(200).withBody("{}")));
        chef.stubFor(delete(urlEqualTo("/organizations/acme/clients/web-1")).willReturn(aResponse().withStatus(200).withBody("{}")));
        StepOutcome outcome = step().run(request(settings("env:CHEF_KEY")));
        assertEquals(StepOutcome.succeeded("node web-1 deleted; client web-1 deleted"), outcome);
        assertEquals(List.of("POST " + SEARCH + " {\"name\":[\"name\"]}",
                "DELETE /organizations/acme/nodes/web-1",
                "DELETE /organizations/acme/clients/web-1"), verifiedRequests());
        assertKeyAbsent(outcome.detail());
    }

    @Test
    void a404OnTheNodeOrTheClientCountsAsAlreadyDone() throws Exception {
        found("web-1");
        chef.stubFor(delete(urlEqualTo("/organizations/acme/nodes/web-1")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":[\"Cannot load node web-1\"]}")));
        chef.stubFor(delete(urlEqualTo("/organizations/acme/clients/web-1")).willReturn(aResponse().withStatus(200)));
        assertEquals(StepOutcome.succeeded("node web-1 already gone; client web-1 deleted"),
                step().run(request(settings(keyFile()))));
        chef.stubFor(delete(urlEqualTo("/organizations/acme/clients/web-1")).willReturn(aResponse().withStatus(404)));
        assertEquals(StepOutcome.alreadyDone("node web-1 already gone; client web-1 already gone"),
                step().run(request(settings(keyFile()))));
        assertEquals(6, verifiedRequests().size());
    }

    @Test
    void noNodeFoundIsAlreadyDone() throws Exception {
        found();
        assertEquals("ALREADY_DONE", step().run(request(settings("env:CHEF_KEY"))).status());
        assertEquals(1, verifiedRequests().size());
    }

    @Test
    void a401IsARetriedFailureNamingTheCause() throws Exception {
        chef.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":[\"Failed to authenticate as 'lifeguard'. Ensure that your node_name and client key are correct.\"]}")));
        // A key rotated after it was read explains a 401 too: the next attempt reads the key afresh,
        // so the failure is a retried one (IllegalStateException), not a PermanentStepException.
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().contains("refused to authenticate client lifeguard (HTTP 401"), error::getMessage);
        assertTrue(error.getMessage().contains("Failed to authenticate as 'lifeguard'"), error::getMessage);
        assertKeyAbsent(error.getMessage());
        assertEquals(1, verifiedRequests().size());
    }

    @Test
    void a5xxIsWorthARetry() {
        chef.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().contains("HTTP 503"), error::getMessage);
    }

    @Test
    void aBadNodeNameFromTheSearchIsRefusedBeforeAnyDelete() throws Exception {
        found("web-1", "../clients/validator");
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().contains("\"../clients/validator\" is not a Chef node name"), error::getMessage);
        assertEquals(List.of("POST " + SEARCH + " {\"name\":[\"name\"]}"), verifiedRequests());
    }

    @Test
    void theValidatorFoundBySearchIsRefusedBeforeAnyDelete() throws Exception {
        found("web-1", "acme-validator");
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertEquals("chef-cleanup: refusing to delete the node and client \"acme-validator\": a name ending in '-validator' is"
                + " the organization's validator client, which new nodes register with; Lifeguard never deletes it", error.getMessage());
        assertEquals(List.of("POST " + SEARCH + " {\"name\":[\"name\"]}"), verifiedRequests());
    }

    @Test
    void theClientLifeguardSignsAsIsNeverDeleted() throws Exception {
        found("lifeguard");
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().startsWith("chef-cleanup: refusing to delete the node and client \"lifeguard\": it is the"
                + " client Lifeguard authenticates as (client-name)"), error::getMessage);
        assertEquals(1, verifiedRequests().size(), "only the search");

        // Named by a template or a cleanup request, it is refused before the server is called, in a dry run too.
        Map<String, Object> named = new HashMap<>(settings("env:CHEF_KEY"));
        named.put("node-name", "acme-validator");
        for (boolean dryRun : new boolean[] {false, true}) {
            StepRequest request = request(named);
            PermanentStepException refused = assertThrows(PermanentStepException.class, () -> step().run(
                    new StepRequest(request.event(), request.facts(), request.config(), dryRun, Heartbeat.NONE)));
            assertTrue(refused.getMessage().contains("\"acme-validator\": a name ending in '-validator'"), refused::getMessage);
        }
        assertEquals(1, verifiedRequests().size(), "nothing more was asked");
    }

    /** An answer longer than 1 MiB is read only that far, and the step says so. */
    @Test
    void aSearchAnswerOverOneMebibyteIsCut() {
        String huge = "{\"total\":1,\"start\":0,\"rows\":[{\"data\":{\"name\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}}]}";
        chef.stubFor(post(urlEqualTo(SEARCH)).willReturn(aResponse().withStatus(200).withBody(huge)));
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertEquals("chef-cleanup: the Chef server's search answer is longer than 1048576 bytes; it was cut there and not read"
                + " as JSON", error.getMessage());
    }

    @Test
    void anErrorAnswerOverOneMebibyteIsCutAndSaysSo() {
        found("web-1");
        chef.stubFor(delete(anyUrl()).willReturn(aResponse().withStatus(500).withBody("e".repeat(2 * 1024 * 1024))));
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().startsWith("chef-cleanup: the Chef server answered HTTP 500 to DELETE node web-1: eeee"),
                error::getMessage);
        assertTrue(error.getMessage().endsWith("… (response cut at 1 MiB)"), error::getMessage);
        assertTrue(error.getMessage().length() < 400, error::getMessage);
    }

    @Test
    void aMissingKeyVariableFailsPermanentlyWithoutCallingTheServer() {
        env.clear();
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> step().run(request(settings("env:CHEF_KEY"))));
        assertTrue(error.getMessage().contains("CHEF_KEY that should hold the Chef key is not set"), error::getMessage);
        assertEquals(0, chef.getAllServeEvents().size());
    }

    @Test
    void theKeyFromSsmParameterStore() throws Exception {
        try (MotoServer moto = MotoServer.start(Path.of("target/chef-ssm-moto.log"));
             SsmClient ssm = SsmClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                     .httpClientBuilder(ApacheHttpClient.builder()).build()) {
            ssm.putParameter(b -> b.name("/lifeguard/chef/key").type(ParameterType.SECURE_STRING).value(pem));
            found("web-1");
            chef.stubFor(delete(anyUrl()).willReturn(aResponse().withStatus(200)));
            ChefCleanup step = new ChefCleanup(new CommandRunner(null), new ChefKeys(() -> ssm, () -> {
                throw new AssertionError();
            }, name -> null), Clock.systemUTC());
            assertEquals("SUCCEEDED", step.run(request(settings("ssm:/lifeguard/chef/key"))).status());
            assertEquals(3, verifiedRequests().size());
            PermanentStepException missing = assertThrows(PermanentStepException.class,
                    () -> step.run(request(settings("ssm:/lifeguard/chef/other"))));
            assertTrue(missing.getMessage().contains("ParameterNotFound"), missing::getMessage);
        }
    }

    @Test
    void settingsAreCheckedWhenTheProfileIsLoaded() throws Exception {
        ChefCleanup step = step();
        ProfileLoader loader = ProfileLoader.of(Map.of("chef-cleanup", step));
        Path dir = Files.createTempDirectory("chef-profiles");
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("transport: ssh", "transport must be knife or api");
        bad.put("transport: api\n    server-url: http://chef.example.com/organizations/acme\n    client-name: lg\n    key: env:K",
                "is not a Chef server organization URL");
        bad.put("transport: api\n    server-url: https://chef.example.com/organizations/acme\n    client-name: lg\n    key: |\n"
                + "      -----BEGIN RSA PRIVATE KEY-----\n      MIIEsecret\n", "never the key itself in a profile");
        bad.put("transport: api\n    server-url: https://chef.example.com/organizations/acme\n    client-name: lg", "'key' is required");
        bad.put("transport: api\n    knife: /usr/bin/knife\n    server-url: https://chef.example.com/organizations/acme\n"
                + "    client-name: lg\n    key: env:K", "'knife' does not apply to transport api");
        bad.put("server-url: https://chef.example.com/organizations/acme", "'server-url' does not apply to transport knife");
        bad.put("transport: api\n    server-url: https://chef.example.com/organizations/acme\n    client-name: lg\n    key: ssm:bad name",
                "is not a key source");
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            Path file = dir.resolve("p.yaml");
            Files.writeString(file, "default:\n  steps:\n    terminating:\n      - type: chef-cleanup\n        "
                    + entry.getKey().replace("\n", "\n    ") + "\n");
            ProfileLoader.InvalidProfilesException error = assertThrows(ProfileLoader.InvalidProfilesException.class,
                    () -> loader.load(file), entry.getKey());
            assertTrue(error.getMessage().contains(entry.getValue()), error::getMessage);
            assertFalse(error.getMessage().contains("MIIEsecret"), error::getMessage);
        }
        Path knife = dir.resolve("knife.yaml");
        Files.writeString(knife, "default:\n  steps:\n    terminating:\n      - type: chef-cleanup\n        knife: /opt/chef tools/knife\n"
                + "        config: /srv/chef repo/knife.rb\n        client-name: lifeguard\n");
        assertEquals("lifeguard", loader.load(knife).fallback().stepsFor("terminating").get(0).config().string("client-name"),
                "knife takes client-name too: the client it runs as");
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "default:\n  steps:\n    terminating:\n      - type: chef-cleanup\n        transport: api\n"
                + "        server-url: https://chef.example.com/organizations/acme\n        client-name: lifeguard\n"
                + "        key: secretsmanager:lifeguard/chef-key\n");
        assertEquals(1, loader.load(good).fallback().stepsFor("terminating").size());
    }

    @Test
    void dryRunNamesWhatItWouldDeleteAndCallsNothing() {
        StepRequest request = request(settings("env:CHEF_KEY"));
        StepOutcome outcome = step().run(new StepRequest(request.event(), request.facts(), request.config(), true, Heartbeat.NONE));
        assertEquals("SKIPPED", outcome.status());
        assertTrue(outcome.detail().contains("ec2_instance_id:" + INSTANCE), outcome.detail());
        assertEquals(0, chef.getAllServeEvents().size());
    }

    private static String keyFile() {
        return "file:" + ChefSignerTest.KEYS.resolve("client-pkcs1.pem").toAbsolutePath();
    }

    private void assertKeyAbsent(String text) {
        for (String line : pem.split("\n")) {
            if (!line.startsWith("-----")) {
                assertFalse(text.contains(line.substring(0, 20)), "the key leaked: " + text);
            }
        }
    }
}
