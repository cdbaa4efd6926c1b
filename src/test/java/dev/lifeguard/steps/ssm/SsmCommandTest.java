package dev.lifeguard.steps.ssm;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.MovingClock;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.Templates;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Waiting for a command, against WireMock playing SSM's JSON protocol: statuses moto never
 * reports (InProgress, Failed), heartbeats, the timeout and CancelCommand. Time is a fake clock
 * that moves only when the step sleeps, so minutes of "waiting" take milliseconds.
 */
class SsmCommandTest {
    private static final String INSTANCE = "i-0123456789abcdef0";
    private static final String COMMAND_ID = "5f8e2a1c-3b4d-4e6f-8a9b-0c1d2e3f4a5b";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer wireMock;
    private static SsmClient ssm;

    private final MovingClock clock = new MovingClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final List<Instant> beats = new ArrayList<>();
    private SsmCommand step;

    @BeforeAll
    static void start() {
        wireMock = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wireMock.start();
        ssm = SsmClient.builder().endpointOverride(URI.create(wireMock.baseUrl())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    @AfterAll
    static void stop() {
        if (ssm != null) {
            ssm.close();
        }
        if (wireMock != null) {
            wireMock.stop();
        }
    }

    @BeforeEach
    void reset() {
        wireMock.resetAll();
        wireMock.stubFor(target("SendCommand").willReturn(json(Map.of("Command", Map.of(
                "CommandId", COMMAND_ID, "DocumentName", "AWS-RunShellScript", "Status", "Pending")))));
        step = new SsmCommand(PerAccount.only(ssm), clock, d -> {
            sleeps.add(d);
            clock.advance(d);
        });
    }

    @Test
    void heartbeatsWhileTheDrainIsInProgress() throws Exception {
        // Seen right after SendCommand: the invocation does not exist yet. Then 12 polls InProgress.
        List<ResponseDefinitionBuilder> polls = new ArrayList<>();
        polls.add(error("InvocationDoesNotExist"));
        for (int i = 0; i < 12; i++) {
            polls.add(invocation("InProgress", -1, "", ""));
        }
        String output = "x".repeat(2000) + "\nNode \"" + INSTANCE + "\" drain complete\n";
        polls.add(invocation("Success", 0, output, ""));
        answerPolls(polls);

        StepOutcome outcome = step.run(request(config(5, 20, 600), false));

        // Polls at t = 0, 5, ..., 65 s; a beat every 20 s of waiting: at 20, 40 and 60 s.
        assertEquals(14, polls());
        Instant start = MovingClock.START;
        assertEquals(List.of(start.plusSeconds(20), start.plusSeconds(40), start.plusSeconds(60)), beats);
        assertEquals(Duration.ofSeconds(65), sleeps.stream().reduce(Duration.ZERO, Duration::plus));
        assertEquals("SUCCEEDED", outcome.status());
        assertTrue(outcome.detail().startsWith("Success commandId=" + COMMAND_ID + ": …"), outcome.detail());
        // The tail is kept, where the result is, and it fits the outcome record whole.
        assertTrue(outcome.detail().endsWith("drain complete"), outcome.detail());
        assertTrue(outcome.detail().length() < StepOutcome.MAX_DETAIL, "length " + outcome.detail().length());
    }

    @Test
    void heartbeatsStayOnTimeWhenPollsAreSlower() throws Exception {
        answerPolls(List.of(invocation("InProgress", -1, "", ""), invocation("Success", 0, "ok", "")));

        StepOutcome outcome = step.run(request(config(30, 10, 600), false));

        // Polls at 0 and 30 s only; beats at 10 and 20 s in between.
        assertEquals(2, polls());
        assertEquals(List.of(MovingClock.START.plusSeconds(10), MovingClock.START.plusSeconds(20)), beats);
        assertEquals("Success commandId=" + COMMAND_ID + ": ok", outcome.detail());
    }

    @Test
    void failedCommandNamesStatusResponseCodeAndStderr() {
        answerPolls(List.of(invocation("InProgress", -1, "", ""),
                invocation("Failed", 129, "draining\n", "Error: node " + INSTANCE + " is still eligible\n")));

        SsmCommandException failure = assertThrows(SsmCommandException.class, () -> step.run(request(config(5, 60, 600), false)));

        assertEquals("Failed", failure.status());
        assertEquals(COMMAND_ID, failure.commandId());
        assertTrue(failure.getMessage().contains("ended Failed"), failure.getMessage());
        assertTrue(failure.getMessage().contains("response code 129"), failure.getMessage());
        assertTrue(failure.getMessage().contains("Error: node " + INSTANCE + " is still eligible"), failure.getMessage());
        assertEquals(2, polls());
        wireMock.verify(0, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.CancelCommand")));
    }

    @Test
    void timeoutCancelsTheCommandAndSaysSo() {
        answerPolls(List.of(invocation("InProgress", -1, "", "")));
        // SSM refusing the cancel must not hide the timeout.
        wireMock.stubFor(target("CancelCommand").willReturn(error("InvalidCommandId")));

        SsmCommandException failure = assertThrows(SsmCommandException.class, () -> step.run(request(config(5, 60, 30), false)));

        assertTrue(failure.getMessage().contains("timed out after 30 s"), failure.getMessage());
        assertTrue(failure.getMessage().contains("last status InProgress"), failure.getMessage());
        assertEquals("InProgress", failure.status());
        // Polls at 0, 5, ..., 30 s: the last one at the deadline itself.
        assertEquals(7, polls());
        wireMock.verify(1, postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AmazonSSM.CancelCommand"))
                .withRequestBody(matchingJsonPath("$.CommandId", equalTo(COMMAND_ID)))
                .withRequestBody(matchingJsonPath("$.InstanceIds[0]", equalTo(INSTANCE))));
    }

    @Test
    void dryRunSendsNothingAndSaysWhatItWouldRun() throws Exception {
        StepOutcome outcome = step.run(request(config(5, 60, 600), true));

        wireMock.verify(0, anyRequestedFor(anyUrl()));
        assertEquals("SKIPPED", outcome.status());
        assertEquals("would send AWS-RunShellScript to " + INSTANCE + " with parameters [commands]", outcome.detail());
        assertTrue(beats.isEmpty() && sleeps.isEmpty());
    }

    /** Parameters may hold secrets: a dry run's detail is logged, recorded and notified, so it names them only. */
    @Test
    void dryRunNamesTheParametersButShowsNoValue() throws Exception {
        Map<String, Object> config = new LinkedHashMap<>(config(5, 60, 600));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("commands", List.of("curl -H 'Authorization: Bearer s3cr3t-t0ken' https://deploy.example.com/{instanceId}"));
        parameters.put("executionTimeout", List.of("3600"));
        config.put("parameters", parameters);
        config.put("output-s3-bucket", "drain-logs");
        config.put("output-s3-prefix", "drains/{instanceId}");

        StepOutcome outcome = step.run(request(config, true));

        assertEquals("would send AWS-RunShellScript to " + INSTANCE + " with parameters [commands, executionTimeout]"
                + " (output to s3://drain-logs/drains/" + INSTANCE + ")", outcome.detail());
        assertFalse(outcome.detail().contains("s3cr3t"), outcome.detail());
        assertFalse(outcome.detail().contains("3600"), outcome.detail());
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnsafeValueInAParameterIsNamedByItsPlaceNotByItsTemplate() {
        Map<String, Object> config = new LinkedHashMap<>(config(5, 60, 600));
        config.put("parameters", Map.of("commands", List.of("echo start", "TOKEN=s3cr3t-t0ken /opt/drain {group}")));
        StepRequest request = new StepRequest(new LifecycleEvent(Kind.TERMINATING, Kind.TERMINATING.eventName(),
                Envelope.DIRECT, "../../etc", INSTANCE, "hook", "5a1b4c9e-0f1d-4c55-9f7a-3e0d2b1c4a6f", null, null, "m-1", null, null,
                null, null, null, null), InstanceFacts.unknown(INSTANCE),
                new StepConfig("drain", config), true, Heartbeat.NONE);

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> step.run(request));

        assertEquals("{group} \"../../etc\" in parameter commands[1] is not allowed there: " + Templates.SHELL_SAFE_RULE,
                error.getMessage());
        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void instanceIdComesFromTheFactsWhenTheEventHasNone() throws Exception {
        answerPolls(List.of(invocation("Success", 0, "", "")));
        LifecycleEvent cleanup = new LifecycleEvent(Kind.CLEANUP_REQUEST, Kind.CLEANUP_REQUEST.eventName(), Envelope.DIRECT,
                null, null, null, null, null, "req-1", "msg-1", null, null, null, "node-1.example.com", null, null);

        StepOutcome outcome = step.run(new StepRequest(cleanup, InstanceFacts.unknown(INSTANCE),
                new StepConfig("drain", config(5, 60, 600)), false, beats::clear));

        assertEquals("SUCCEEDED", outcome.status());
        wireMock.verify(1, postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AmazonSSM.SendCommand"))
                .withRequestBody(matchingJsonPath("$.InstanceIds[0]", equalTo(INSTANCE)))
                .withRequestBody(matchingJsonPath("$.Parameters.commands[1]", equalTo("echo drained " + INSTANCE))));
    }

    @Test
    void noInstanceOrBadSettingsSendNothing() {
        LifecycleEvent cleanup = new LifecycleEvent(Kind.CLEANUP_REQUEST, Kind.CLEANUP_REQUEST.eventName(), Envelope.DIRECT,
                null, null, null, null, null, "req-1", "msg-1", null, null, null, "node-1.example.com", null, null);
        IllegalArgumentException noInstance = assertThrows(IllegalArgumentException.class, () -> step.run(
                new StepRequest(cleanup, null, new StepConfig("drain", config(5, 60, 600)), false, null)));
        assertTrue(noInstance.getMessage().contains("names no instance"), noInstance.getMessage());

        Map<String, Object> badDocument = new LinkedHashMap<>(config(5, 60, 600));
        badDocument.put("document", "AWS-RunShellScript; rm -rf /");
        assertThrows(IllegalArgumentException.class, () -> step.run(request(badDocument, false)));

        Map<String, Object> badBucket = new LinkedHashMap<>(config(5, 60, 600));
        badBucket.put("output-s3-bucket", "Logs_Bucket");
        assertThrows(IllegalArgumentException.class, () -> step.run(request(badBucket, false)));

        wireMock.verify(0, anyRequestedFor(anyUrl()));
    }

    private StepRequest request(Map<String, Object> config, boolean dryRun) {
        return Terminations.request(INSTANCE, config, dryRun, () -> beats.add(clock.instant()));
    }

    private static Map<String, Object> config(int pollSeconds, int heartbeatSeconds, int timeoutSeconds) {
        return Map.of(
                "document", "AWS-RunShellScript",
                "parameters", Map.of("commands", List.of("nomad node drain -enable -self -y", "echo drained {instanceId}")),
                "poll-interval", pollSeconds,
                "heartbeat-interval", heartbeatSeconds,
                "timeout", timeoutSeconds);
    }

    /** GetCommandInvocation answers in order; the last one repeats. */
    private static void answerPolls(List<ResponseDefinitionBuilder> answers) {
        for (int i = 0; i < answers.size(); i++) {
            ScenarioMappingBuilder stub = target("GetCommandInvocation").inScenario("polls")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "poll-" + i)
                    .willReturn(answers.get(i));
            if (i < answers.size() - 1) {
                stub = stub.willSetStateTo("poll-" + (i + 1));
            }
            wireMock.stubFor(stub);
        }
    }

    /** GetCommandInvocation requests for our command on our instance. */
    private static int polls() {
        RequestPatternBuilder poll = postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCommandInvocation"))
                .withRequestBody(matchingJsonPath("$.CommandId", equalTo(COMMAND_ID)))
                .withRequestBody(matchingJsonPath("$.InstanceId", equalTo(INSTANCE)));
        return wireMock.findAll(poll).size();
    }

    private static MappingBuilder target(String operation) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM." + operation));
    }

    private static ResponseDefinitionBuilder invocation(String status, int responseCode, String stdout, String stderr) {
        return json(Map.of("CommandId", COMMAND_ID, "InstanceId", INSTANCE, "DocumentName", "AWS-RunShellScript",
                "PluginName", "aws:runShellScript", "ResponseCode", responseCode, "Status", status, "StatusDetails", status,
                "StandardOutputContent", stdout, "StandardErrorContent", stderr));
    }

    private static ResponseDefinitionBuilder json(Map<String, Object> body) {
        try {
            return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSM error as the JSON protocol carries it: HTTP 400 and the code in __type. */
    private static ResponseDefinitionBuilder error(String code) {
        return aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"" + code + "\",\"message\":\"" + code + " (stand-in)\"}");
    }
}
