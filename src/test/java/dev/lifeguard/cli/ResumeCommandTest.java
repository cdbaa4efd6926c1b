package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.LiveActions;
import dev.lifeguard.local.LocalAutoScaling;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.OutcomeRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * {@code resume}'s other answers, on records the service's own store classes wrote (DynamoDB
 * Local) and the Auto Scaling stand-in ({@link LiveActions}): {@code --terminate-only} runs no
 * step; an instance Auto Scaling no longer has retained, or without a retained record, is nothing
 * to do; a step that fails again leaves the instance retained and says why. The whole story, from
 * the abandon on, is {@code RetainedInstancesTest}'s.
 */
class ResumeCommandTest {
    private static final String TABLE = "resume-" + UUID.randomUUID();
    private static final String GROUP = "keep-web";
    private static final Path PROFILES = Path.of("target/resume-profiles.yaml");
    private static final LiveActions ACTIONS = new LiveActions();
    private static DynamoDbClient dynamoDb;
    private static WireMockServer autoScaling;

    @BeforeAll
    static void start() throws IOException {
        dynamoDb = LocalAws.shared().dynamoDb();
        LifeguardTable.ensureExists(dynamoDb, TABLE, true);
        autoScaling = LocalAutoScaling.start(ACTIONS);
        Files.createDirectories(PROFILES.getParent());
        Files.writeString(PROFILES, """
                groups:
                  - match: keep-*
                    on-failure:
                      terminating: ABANDON
                    steps:
                      terminating:
                        - type: salt-state
                          name: clean
                          salt: src/test/fake-tools/salt
                          state: clean
                """, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        autoScaling.stop();
    }

    @AfterEach
    void tools() {
        FakeTools.remove("fail-state");
    }

    @Test
    void terminateOnlyRunsNoStepAndTerminatesTheRetainedInstance() {
        LifecycleEvent event = retained("Terminating:Retained");
        Run run = resume("--terminate-only", event.instanceId());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("Steps      not run (--terminate-only)"), run.out());
        assertEquals(0, cleans(event), "no step ran");
        assertEquals(List.of(Map.entry(event.instanceId(), "false")), terminationsOf(event));
        Map<String, AttributeValue> record = record(event);
        assertEquals(Outcome.RESUMED.name(), record.get("result").s());
        assertFalse(record.containsKey("resumeSteps"), record.toString());
        assertFalse(record.containsKey(LifeguardTable.IN_FLIGHT_SHARD), "out of the retained partition");
    }

    @Test
    void anInstanceAutoScalingNoLongerHasRetainedIsNothingToDo() {
        LifecycleEvent event = retained("InService");
        Run run = resume(event.instanceId());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.out().contains("Nothing to do: Auto Scaling has " + event.instanceId() + " InService, not retained"), run.out());
        assertEquals(0, cleans(event));
        assertEquals(List.of(), terminationsOf(event));
        assertEquals(Outcome.RETAINED.name(), record(event).get("result").s());
    }

    @Test
    void aStepThatFailsAgainLeavesTheInstanceRetainedWithWhy() {
        LifecycleEvent event = retained("Terminating:Retained");
        FakeTools.write("fail-state", "Minion did not return");
        Run run = resume(event.instanceId());
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.out().contains("Stopped    a step failed: " + event.instanceId() + " stays retained"), run.out());
        assertEquals(1, cleans(event), "the step ran once");
        assertEquals(List.of(), terminationsOf(event), "not terminated");
        Map<String, AttributeValue> record = record(event);
        assertEquals(Outcome.RETAINED.name(), record.get("result").s());
        assertTrue(record.get("lastError").s().startsWith("resume: steps failed: clean FAILED"), record.toString());
        assertEquals(LifeguardTable.RETAINED_SHARD, record.get(LifeguardTable.IN_FLIGHT_SHARD).s(), "still listed as retained");
    }

    @Test
    void aDryRunTerminatesNothingAndRecordsNoStepDone() {
        LifecycleEvent event = retained("Terminating:Retained");
        Run run = resume(Map.of("lifeguard.dry-run", "true"), event.instanceId());
        assertEquals(0, run.status(), run.toString());
        assertTrue(run.out().contains("Dry run    " + event.instanceId() + " is not terminated"), run.out());
        assertEquals(0, cleans(event), "the salt state was not run");
        assertEquals(List.of(), terminationsOf(event));
        Map<String, AttributeValue> record = record(event);
        assertEquals(Outcome.RETAINED.name(), record.get("result").s());
        assertEquals(Map.of(), record.get("stepState").m(), "a later resume still runs the step");
    }

    @Test
    void anInstanceWithoutARetainedRecordOrNotAnInstanceIdIsSaidSo() {
        Run none = resume("i-0123456789abcdef0");
        assertEquals(1, none.status(), none.toString());
        assertTrue(none.out().contains("Nothing to do: no terminating hook of i-0123456789abcdef0 is recorded RETAINED"), none.out());
        Run bad = resume("web servers");
        assertEquals(2, bad.status(), bad.toString());
        assertTrue(bad.err().contains("is not an EC2 instance id"), bad.err());
    }

    /** A terminating hook of a new instance given up on, abandoned and recorded retained; the instance in {@code state}. */
    private static LifecycleEvent retained(String state) {
        LifecycleEvent event = Fixtures.parse(Fixtures.terminatingHook(GROUP));
        Clock clock = Clock.systemUTC();
        new Claims(dynamoDb, TABLE, "worker-a", Duration.ofSeconds(300), Duration.ofDays(1), clock).claim(event);
        OutcomeRecorder outcomes = new OutcomeRecorder(dynamoDb, TABLE, "worker-a", false, Duration.ofDays(1), clock);
        outcomes.finish(event, Outcome.GAVE_UP, StepsReport.of("on-terminating", List.of(
                StepResult.failed("clean", "salt-state", 300, "Minion did not return", false))), HookResult.ABANDON,
                "steps failed: clean FAILED", true);
        assertTrue(outcomes.retained(event, "Terminating:Retained"));
        ACTIONS.place(event.instanceId(), GROUP, state);
        return event;
    }

    private record Run(int status, String out, String err) {
    }

    private static Run resume(String... args) {
        return resume(Map.of(), args);
    }

    private static Run resume(Map<String, String> more, String... args) {
        Map<String, String> settings = new java.util.HashMap<>(more);
        settings.put("lifeguard.table", TABLE);
        settings.put("lifeguard.profiles", PROFILES.toString());
        String[] all = new String[args.length + 1];
        all[0] = "resume";
        System.arraycopy(args, 0, all, 1, args.length);
        AutoScalingClient client = AutoScalingClient.builder().endpointOverride(URI.create(autoScaling.baseUrl()))
                .region(Region.US_EAST_1).credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t")))
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // A salt-state step calls no AWS service and uses no address: Route53 and SSM refuse every call, EC2 is never built.
        Supplier<PerAccount<AutoScalingClient>> asg = () -> PerAccount.only(client);
        int status = Commands.run(all, settings::get,
                new Commands.Aws(() -> dynamoDb, CommandOutput.never("EC2"), asg, () -> PerAccount.only(NoCalls.route53()),
                        () -> PerAccount.only(NoCalls.ssm()), () -> PerAccount.only(NoCalls.ecs())),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static long cleans(LifecycleEvent event) {
        return FakeTools.callsAbout(GROUP + "-" + event.instanceId()).size();
    }

    private static List<Map.Entry<String, String>> terminationsOf(LifecycleEvent event) {
        return ACTIONS.terminations().stream().filter(t -> t.getKey().equals(event.instanceId())).toList();
    }

    private static Map<String, AttributeValue> record(LifecycleEvent event) {
        return dynamoDb.getItem(r -> r.tableName(TABLE).consistentRead(true)
                .key(Map.of(LifeguardTable.KEY, AttributeValue.fromS(event.idempotencyKey())))).item();
    }
}
