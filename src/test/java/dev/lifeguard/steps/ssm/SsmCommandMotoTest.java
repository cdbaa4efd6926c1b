package dev.lifeguard.steps.ssm;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.local.MotoServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.StepOutcome;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * The SSM step against moto_server over HTTP: what SSM records is what the step sent. moto runs
 * no command (every invocation reports Success at once, with empty output) and implements
 * neither CancelCommand nor ListCommandInvocations; {@link SsmCommandTest} covers waiting.
 */
class SsmCommandMotoTest {
    private static final Pattern COMMAND_ID = Pattern.compile("^Success commandId=([0-9a-f-]{36}): ");

    private static MotoServer moto;
    private static SsmClient ssm;
    private static Ec2Client ec2;
    /**
     * The only instance in moto's region. moto also sends each command to every instance that
     * matches its (empty) Targets, i.e. all of them, so a second instance would mask a command
     * sent to the wrong one.
     */
    private static String instanceId;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start(Path.of("target/ssm-moto.log"));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        ssm = SsmClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(ApacheHttpClient.builder()).build();
        ec2 = Ec2Client.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(ApacheHttpClient.builder()).build();
        instanceId = ec2.runInstances(r -> r.imageId("ami-12c6146b").instanceType(InstanceType.T3_MICRO).minCount(1).maxCount(1))
                .instances().get(0).instanceId();
    }

    @AfterAll
    static void stop() throws Exception {
        if (ssm != null) {
            ssm.close();
            ec2.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void nomadDrainIsSentAsConfiguredAndSucceeds() throws Exception {
        // Seed 001's drain document, with a Lifeguard placeholder next to the script's own ${...}.
        Map<String, Object> config = Map.of(
                "document", "AWS-RunShellScript",
                "comment", "drain {instanceId}",
                "parameters", Map.of("commands", List.of(
                        "nomad node drain -enable -self -y",
                        "isEligible=$(nomad node-status -self -json | jq '.SchedulingEligibility | contains (\"ineligible\")')",
                        "if (( ${isEligible} == true )) ; then exit 0 ; else exit 129; fi",
                        "echo drained {instanceId} of {group}")));

        StepOutcome outcome = step().run(Terminations.request(instanceId, config, false, Heartbeat.NONE));

        assertEquals("SUCCEEDED", outcome.status());
        Command command = recorded(outcome);
        assertEquals("AWS-RunShellScript", command.documentName());
        assertEquals(List.of(instanceId), command.instanceIds());
        assertEquals(Map.of("commands", List.of(
                "nomad node drain -enable -self -y",
                "isEligible=$(nomad node-status -self -json | jq '.SchedulingEligibility | contains (\"ineligible\")')",
                "if (( ${isEligible} == true )) ; then exit 0 ; else exit 129; fi",
                "echo drained " + instanceId + " of nomad-clients")), command.parameters());
        assertEquals("drain " + instanceId, command.comment());
    }

    @Test
    void logUploadAsksSsmToKeepTheOutputInS3() throws Exception {
        // Seed 003: tar the logs and copy them to S3; the instance id comes from the event, not ec2-metadata.
        Map<String, Object> config = Map.of(
                "document", "AWS-RunShellScript",
                "parameters", Map.of(
                        "commands", List.of(
                                "touch /tmp/testforSSMAutomation.txt",
                                "tar -cvf /tmp/data-{instanceId}.tar /tmp/testforSSMAutomation.txt",
                                "aws s3 cp /tmp/data-{instanceId}.tar s3://lifeguard-logs"),
                        "executionTimeout", List.of("900")),
                "output-s3-bucket", "lifeguard-ssm-output",
                "output-s3-prefix", "{group}/{instanceId}/");

        StepOutcome outcome = step().run(Terminations.request(instanceId, config, false, Heartbeat.NONE));

        assertEquals("SUCCEEDED", outcome.status());
        Command command = recorded(outcome);
        assertEquals("lifeguard-ssm-output", command.outputS3BucketName());
        assertEquals("nomad-clients/" + instanceId + "/", command.outputS3KeyPrefix());
        assertEquals(List.of(instanceId), command.instanceIds());
        assertEquals(List.of(
                "touch /tmp/testforSSMAutomation.txt",
                "tar -cvf /tmp/data-" + instanceId + ".tar /tmp/testforSSMAutomation.txt",
                "aws s3 cp /tmp/data-" + instanceId + ".tar s3://lifeguard-logs"), command.parameters().get("commands"));
        assertEquals(List.of("900"), command.parameters().get("executionTimeout"));
    }

    private static SsmCommand step() {
        // moto answers Success at once, so nothing should need to wait; a sleep would mean a bug.
        return new SsmCommand(PerAccount.only(ssm), Clock.systemUTC(), d -> {
            throw new AssertionError("moto reports Success at once; the step should not have waited " + d);
        });
    }

    /** The command as moto recorded it, found by the id the outcome reports. */
    private static Command recorded(StepOutcome outcome) {
        Matcher id = COMMAND_ID.matcher(outcome.detail());
        assertTrue(id.find(), "outcome names the command: " + outcome.detail());
        List<Command> commands = ssm.listCommands(r -> r.commandId(id.group(1))).commands();
        assertEquals(1, commands.size(), "moto knows command " + id.group(1));
        return commands.get(0);
    }
}
