package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.local.LocalAws;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * {@code plan} on the bundled samples with the example profiles (examples/profiles.yaml) and routes/, run from
 * the repository root as an operator runs it. Without --describe it must call nothing: the AWS
 * clients it is given fail the test if asked for.
 */
class PlanCommandTest {
    private static final Map<String, String> SHIPPED = Map.of("lifeguard.profiles", "examples/profiles.yaml");

    private static CommandOutput plan(Map<String, String> settings, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "plan";
        System.arraycopy(args, 0, all, 1, args.length);
        return CommandOutput.run(settings, CommandOutput.never("DynamoDB"), CommandOutput.never("EC2"), all);
    }

    @Test
    void aNomadDrainShowsItsRouteProfileAndTheCommandItWouldSend() {
        CommandOutput run = plan(SHIPPED, "samples/03-sns-hook-terminating.json");
        assertEquals(0, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.contains("Event      terminating group=nomad-clients instance=i-dd0219d4c359b15db hook=web-drain-hook via=sns"
                + " account=123456789012 region=us-east-1"
                + " (autoscaling:EC2_INSTANCE_TERMINATING)"), out);
        assertTrue(out.contains("Record     hook#i-dd0219d4c359b15db#"), out);
        assertTrue(out.contains("Confirm    the service asks Auto Scaling first: the instance must be Terminating:Wait in this group"), out);
        assertTrue(out.contains("Route      on-terminating (routes/on-terminating.camel.yaml)"), out);
        assertTrue(out.contains("Profile    nomad-* in examples/profiles.yaml, steps under 'terminating'"), out);
        assertTrue(out.contains("On failure CONTINUE when the steps are given up on (the profile's on-failure)"), out);
        assertTrue(out.contains("  1. nomad-drain (ssm-command), timeout 3600 s"), out);
        assertTrue(out.contains("     parameters.commands[0]: nomad node drain -enable -self -y"), out);
        assertTrue(out.contains("  → would send AWS-RunShellScript to i-dd0219d4c359b15db with parameters [commands]\n"), out);
    }

    @Test
    void templatesAreRenderedForTheEvent() throws IOException {
        CommandOutput run = plan(SHIPPED, "samples/04-eventbridge-terminate-lifecycle-action.json");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("Profile    salt-* in examples/profiles.yaml"), run.out());
        assertTrue(run.out().contains("→ would run /usr/bin/salt salt-minions-i-8a2a53292e58cdd9a state.sls clean --out json"), run.out());

        // The same hook for a web-* group: the log upload's S3 prefix and commands rendered.
        Path body = Files.createTempFile("plan", ".json");
        Files.writeString(body, Fixtures.read("eventbridge-terminate-lifecycle-action.json").replace("salt-minions", "web-asg"));
        CommandOutput logs = plan(SHIPPED, body.toString());
        Files.delete(body);
        assertEquals(0, logs.status(), logs::toString);
        String id = Fixtures.parse(Fixtures.read("eventbridge-terminate-lifecycle-action.json")).instanceId();
        assertTrue(logs.out().contains("     output-s3-prefix: {group}/{instanceId}  →  web-asg/" + id), logs.out());
        assertTrue(logs.out().contains("     parameters.commands[0]: tar -czf /tmp/logs-{instanceId}.tgz /var/log/app  →  tar -czf /tmp/logs-"
                + id + ".tgz /var/log/app"), logs.out());
        assertTrue(logs.out().contains("(output to s3://example-lifeguard-logs/web-asg/" + id + ")"), logs.out());
    }

    @Test
    void addressesAreNotAskedForButNamedAsNeeded() {
        CommandOutput run = plan(SHIPPED, "samples/02-hook-launching.json");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("Addresses  not read: {privateIp} {publicIp} {privateDns} {publicDns} {name} are shown"
                + " unresolved (needs EC2 DescribeInstances; plan --describe reads them)"), run.out());
        assertTrue(run.out().contains("     value: {privateIp}\n"), run.out());
        assertTrue(run.out().contains("     record: {instanceId}.web.example.com  →  i-05ccf8e76b6330085.web.example.com"), run.out());
        assertTrue(run.out().contains("  → needs the instance's addresses (EC2 DescribeInstances"), run.out());
    }

    @Test
    void describeReadsTheAddressesFromEc2AndChecksWithThem() {
        LocalAws aws = LocalAws.shared();
        Ec2Client ec2 = Ec2Client.builder().endpointOverride(URI.create(aws.autoScalingEndpoint())).region(Region.of(LocalAws.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        CommandOutput run = CommandOutput.run(SHIPPED, CommandOutput.never("DynamoDB"), () -> ec2, "plan", "--describe",
                "samples/02-hook-launching.json");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("EC2        i-05ccf8e76b6330085 is terminated (10.0."), run.out());
        assertTrue(run.out().matches("(?s).*→ would upsert i-05ccf8e76b6330085\\.web\\.example\\.com\\.? A 10\\.0\\.\\d+\\.\\d+ ttl 60"
                + " in Z0EXAMPLE0WEB.*"), run.out());
    }

    @Test
    void anUnsafeValueShowsTheStepsRefusalAndExitsOne() throws IOException {
        Path body = Files.createTempFile("plan", ".json");
        Files.writeString(body, Fixtures.read("hook-launching.json").replace("\"web-asg\"", "\"web servers\""));
        CommandOutput run = plan(Map.of("lifeguard.profiles", "src/test/resources/profiles/plan.yaml"), body.toString());
        Files.delete(body);
        assertEquals(1, run.status(), run::toString);
        String out = run.out();
        assertTrue(out.contains("Profile    \"web servers\" in src/test/resources/profiles/plan.yaml"), out);
        assertTrue(out.contains("At once    at most 2 launching events of this group per replica"), out);
        assertTrue(out.contains("     minion-id: {group}-{instanceId}  →  web servers-i-8f263c7ac55ae1615"), out);
        assertTrue(out.contains("  ✗ would fail for good (no retry): accept: minion id \"web servers-i-8f263c7ac55ae1615\" is not a"
                + " safe Salt target"), out);
        assertTrue(out.contains("     node-name: {nodeName}  (cannot render: template '{nodeName}' needs {nodeName}, which this"
                + " launching event does not provide)"), out);
        assertTrue(out.contains("  → needs the instance's addresses"), "dns needs {privateIp}: " + out);
    }

    @Test
    void aRefusedBodyGivesTheParsersReasonAndExitsTwo() {
        CommandOutput run = plan(SHIPPED, "samples/10-refused-bad-instance-id.json");
        assertEquals(2, run.status(), run::toString);
        assertEquals("", run.out());
        assertEquals("lifeguard plan: refused (the service dead-letters this body): EC2InstanceId is not an EC2 instance id"
                + " (i- followed by 8 or 17 hex digits): \"i-123; rm -rf /\"\n", run.err());
    }

    @Test
    void profilesThatDoNotLoadAndUnreadableFilesExitTwo(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("profiles.yaml");
        Files.writeString(broken, "groups:\n  - match: nomad-*\n    steps:\n      terminating:\n        - type: ssm\n");
        CommandOutput run = plan(Map.of("lifeguard.profiles", broken.toString()), "samples/03-sns-hook-terminating.json");
        assertEquals(2, run.status(), run::toString);
        assertTrue(run.err().startsWith("lifeguard plan: profiles file " + broken + " is invalid: groups[0] 'nomad-*'"
                + " steps.terminating[0]: unknown step type 'ssm'"), run.err());

        CommandOutput missing = plan(SHIPPED, dir.resolve("nothing.json").toString());
        assertEquals(2, missing.status(), missing::toString);
        assertTrue(missing.err().startsWith("lifeguard plan: cannot read "), missing.err());

        CommandOutput usage = plan(SHIPPED);
        assertEquals(2, usage.status(), usage::toString);
        assertTrue(usage.err().contains("usage: lifeguard plan [--describe] <event.json | ->"), usage.err());
    }

    @Test
    void aTestNotificationRunsNothing() {
        CommandOutput run = plan(SHIPPED, "samples/01-test-notification.json");
        assertEquals(0, run.status(), run::toString);
        assertTrue(run.out().contains("a test notification: acknowledged and deleted; no route, no steps, no record"), run.out());
    }
}
