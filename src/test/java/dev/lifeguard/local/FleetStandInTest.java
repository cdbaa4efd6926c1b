package dev.lifeguard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingException;
import software.amazon.awssdk.services.autoscaling.model.LifecycleHook;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.CommandInvocationStatus;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;

/** The fleet stand-in answers the real SDK clients, and its answers parse. */
class FleetStandInTest {
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    static FleetStandIn fleet;
    static AutoScalingClient autoScaling;
    static SsmClient ssm;
    static Ec2Client ec2;

    @BeforeAll
    static void start() {
        fleet = FleetStandIn.start();
        autoScaling = AutoScalingClient.builder().endpointOverride(fleet.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS)
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1)))
                .build();
        ssm = SsmClient.builder().endpointOverride(fleet.endpoint()).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
        ec2 = Ec2Client.builder().endpointOverride(fleet.endpoint()).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
    }

    @AfterAll
    static void stop() {
        autoScaling.close();
        ssm.close();
        ec2.close();
        fleet.close();
    }

    @BeforeEach
    void reset() {
        fleet.reset();
        fleet.throttleHeartbeats(0).rejectRepeatedCompletions(false).commandDuration(Duration.ofSeconds(30)).heartbeatTimeoutSeconds(3600);
    }

    private static void complete(String token, String result) {
        autoScaling.completeLifecycleAction(r -> r.autoScalingGroupName("web servers").lifecycleHookName("drain")
                .instanceId("i-0123456789abcdef0").lifecycleActionToken(token).lifecycleActionResult(result));
    }

    @Test
    void completionsAndHeartbeatsAreRecordedPerToken() {
        fleet.actions().begin("web servers", "drain", "i-0123456789abcdef0", "t-1", "Terminating:Wait");
        autoScaling.recordLifecycleActionHeartbeat(r -> r.autoScalingGroupName("web servers").lifecycleHookName("drain")
                .instanceId("i-0123456789abcdef0").lifecycleActionToken("t-1"));
        complete("t-1", "CONTINUE");
        assertEquals(1, fleet.heartbeats("t-1").size());
        List<FleetStandIn.Completion> done = fleet.completions("t-1");
        assertEquals(1, done.size());
        assertEquals("CONTINUE", done.get(0).result());
        assertEquals("web servers", done.get(0).group());
        assertEquals("i-0123456789abcdef0", done.get(0).instanceId());
        assertTrue(done.get(0).accepted());
        assertEquals(1, fleet.calls("CompleteLifecycleAction"));
        assertEquals(2, fleet.totalCalls());
    }

    @Test
    void aSecondCompletionIsRefusedWhenAskedButStillCounted() {
        fleet.rejectRepeatedCompletions(true);
        fleet.actions().begin("web servers", "drain", "i-0123456789abcdef0", "t-2", "Terminating:Wait");
        complete("t-2", "CONTINUE");
        AutoScalingException e = assertThrows(AutoScalingException.class, () -> complete("t-2", "ABANDON"));
        assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        assertEquals("No active Lifecycle Action found with token t-2", e.awsErrorDetails().errorMessage());
        assertEquals(400, e.statusCode());
        assertEquals(2, fleet.completions("t-2").size());
        assertFalse(fleet.completions("t-2").get(1).accepted());
        assertEquals(2, fleet.calls("CompleteLifecycleAction"));
    }

    @Test
    void onlyALiveActionWithMatchingGroupHookAndInstanceIsAccepted() {
        fleet.actions().begin("web servers", "drain", "i-0123456789abcdef0", "t-4", "Terminating:Wait");
        for (String instance : new String[] {"i-0fedcba9876543210", "i-0123456789abcdef0"}) {
            String token = instance.equals("i-0123456789abcdef0") ? "t-never-issued" : "t-4";
            AutoScalingException e = assertThrows(AutoScalingException.class, () -> autoScaling.recordLifecycleActionHeartbeat(r -> r
                    .autoScalingGroupName("web servers").lifecycleHookName("drain").instanceId(instance).lifecycleActionToken(token)));
            assertEquals("ValidationError", e.awsErrorDetails().errorCode());
        }
        assertEquals("Terminating:Wait", autoScaling.describeAutoScalingInstances(r -> r.instanceIds("i-0123456789abcdef0"))
                .autoScalingInstances().get(0).lifecycleState());
        complete("t-4", "CONTINUE");
        assertEquals("Terminating:Proceed", autoScaling.describeAutoScalingInstances(r -> r.instanceIds("i-0123456789abcdef0"))
                .autoScalingInstances().get(0).lifecycleState(), "a completed action moves its instance on");
    }

    @Test
    void heartbeatsCanBeThrottled() {
        fleet.throttleHeartbeats(1);
        AutoScalingException e = assertThrows(AutoScalingException.class, () ->
                autoScaling.recordLifecycleActionHeartbeat(r -> r.autoScalingGroupName("g").lifecycleHookName("h")
                        .instanceId("i-0123456789abcdef0").lifecycleActionToken("t-3")));
        assertEquals("Throttling", e.awsErrorDetails().errorCode());
        assertEquals("Rate exceeded", e.awsErrorDetails().errorMessage());
        assertTrue(e.isThrottlingException());
        assertEquals(0, fleet.heartbeats("t-3").size());
        assertEquals(1, fleet.calls("RecordLifecycleActionHeartbeat.Throttled"));
    }

    @Test
    void lifecycleHooksAreDescribedForTheGroupAsked() {
        fleet.heartbeatTimeoutSeconds(900);
        List<LifecycleHook> hooks = autoScaling.describeLifecycleHooks(r -> r.autoScalingGroupName("prod$green")
                .lifecycleHookNames("drain", "logs")).lifecycleHooks();
        assertEquals(2, hooks.size());
        assertEquals("drain", hooks.get(0).lifecycleHookName());
        assertEquals("prod$green", hooks.get(0).autoScalingGroupName());
        assertEquals(900, hooks.get(0).heartbeatTimeout());
        assertEquals(172800, hooks.get(0).globalTimeout());
        assertEquals("CONTINUE", hooks.get(0).defaultResult());
        assertEquals("autoscaling:EC2_INSTANCE_TERMINATING", hooks.get(1).lifecycleTransition());
    }

    @Test
    void anSsmCommandRunsForItsDurationThenSucceeds() throws InterruptedException {
        fleet.commandDuration(Duration.ofMillis(300));
        String instance = "i-0123456789abcdef0";
        String commandId = ssm.sendCommand(r -> r.documentName("AWS-RunShellScript").instanceIds(instance)
                .parameters(Map.of("commands", List.of("nomad node drain -enable -self -y")))).command().commandId();
        GetCommandInvocationResponse running = ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(instance));
        assertEquals(CommandInvocationStatus.IN_PROGRESS, running.status());
        Thread.sleep(400);
        GetCommandInvocationResponse done = ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(instance));
        assertEquals(CommandInvocationStatus.SUCCESS, done.status());
        assertEquals(0, done.responseCode());
        assertTrue(done.standardOutputContent().contains(instance));
        FleetStandIn.Command sent = fleet.commandsFor(instance).get(0);
        assertEquals("AWS-RunShellScript", sent.document());
        assertEquals(List.of("nomad node drain -enable -self -y"), sent.parameters().get("commands"));
        assertEquals(1, fleet.commandsFor(instance).size());
        assertEquals(3, fleet.callsFor(commandId));
        assertEquals(1, fleet.calls("SendCommand"));
    }

    @Test
    void commandsCanFailOrTakeLongerPerInstance() {
        fleet.commandDuration(Duration.ZERO).commandEnds("i-00000000000000bad", "Failed")
                .commandDuration("i-00000000000000510", Duration.ofHours(1));
        String failing = ssm.sendCommand(r -> r.documentName("AWS-RunShellScript").instanceIds("i-00000000000000bad")).command().commandId();
        assertEquals(CommandInvocationStatus.FAILED,
                ssm.getCommandInvocation(r -> r.commandId(failing).instanceId("i-00000000000000bad")).status());
        String slow = ssm.sendCommand(r -> r.documentName("AWS-RunShellScript").instanceIds("i-00000000000000510")).command().commandId();
        assertEquals(CommandInvocationStatus.IN_PROGRESS,
                ssm.getCommandInvocation(r -> r.commandId(slow).instanceId("i-00000000000000510")).status());
        ssm.cancelCommand(r -> r.commandId(slow).instanceIds("i-00000000000000510"));
        assertTrue(fleet.wasCancelled(slow));
        assertEquals(CommandInvocationStatus.CANCELLED,
                ssm.getCommandInvocation(r -> r.commandId(slow).instanceId("i-00000000000000510")).status());
    }

    @Test
    void anUnknownCommandHasNoInvocation() {
        assertThrows(InvocationDoesNotExistException.class,
                () -> ssm.getCommandInvocation(r -> r.commandId("no-such-command").instanceId("i-0123456789abcdef0")));
    }

    @Test
    void everyInstanceAskedForIsRunningWithAStableAddress() {
        List<Instance> found = ec2.describeInstances(r -> r.instanceIds("i-0123456789abcdef0", "i-0fedcba9876543210"))
                .reservations().stream().flatMap(r -> r.instances().stream()).toList();
        assertEquals(2, found.size());
        assertEquals("i-0123456789abcdef0", found.get(0).instanceId());
        assertEquals(InstanceStateName.RUNNING, found.get(0).state().name());
        assertEquals(FleetStandIn.privateIp("i-0123456789abcdef0"), found.get(0).privateIpAddress());
        assertTrue(found.get(1).privateDnsName().endsWith(".ec2.internal"));
        assertEquals(0, fleet.errors());
    }

    @Test
    void dynamoDbLocalAnswersOverHttpOnTheLoopback() {
        try (LocalDynamoDbServer dynamo = LocalDynamoDbServer.start();
             DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(CREDENTIALS).build()) {
            assertEquals("127.0.0.1", dynamo.endpoint().getHost());
            client.createTable(r -> r.tableName("claims").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                    .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
            Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("hook#1"));
            client.putItem(r -> r.tableName("claims").item(item).conditionExpression("attribute_not_exists(pk)"));
            assertThrows(ConditionalCheckFailedException.class,
                    () -> client.putItem(r -> r.tableName("claims").item(item).conditionExpression("attribute_not_exists(pk)")));
        }
    }
}
