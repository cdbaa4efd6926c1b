package dev.lifeguard.seeds;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * One end-to-end test per seed workflow: the real routes and profiles (target/seeds-profiles.yaml,
 * from src/test/resources/profiles/seeds.yaml), moto_server for SQS with real SNS delivery,
 * DynamoDB, EC2, Route53 and SSM, WireMock for Auto Scaling, and fake knife/salt/salt-key that
 * record their argument lists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {MotoWorld.Beans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=" + MotoWorld.QUEUE,
            "lifeguard.dead-letter-queue=" + MotoWorld.DEAD_LETTER_QUEUE,
            "lifeguard.table=seeds",
            "lifeguard.table.create=true",
            "lifeguard.profiles=target/seeds-profiles.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=2",
            "lifeguard.max-attempts=3",
            // The salt-* profile says ABANDON; this global default must not win over it.
            "lifeguard.hook.launching.on-failure=CONTINUE",
        })
class SeedWorkflowsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private final MotoWorld world = MotoWorld.get();

    @BeforeEach
    @AfterEach
    void toolsBehave() {
        // Also after: the jar tests share the fake tools' state, and must not inherit a failure.
        FakeTools.remove("fail-state");
        FakeTools.remove("fail-knife");
    }

    @Test
    void seed000LambdaMopDeletesTheChefNodeAndDnsRecordsOfATerminatedInstance() {
        Instance instance = world.launch();
        String id = instance.instanceId();
        String node = "web-" + id.substring(2) + ".example.com";
        FakeTools.write("chef-nodes", id + " " + node + "\n");
        world.record("A", id + ".mop.example.com.", "10.9.9.9");
        world.record("A", "ip-" + id + ".mop.example.com.", instance.privateIpAddress());
        world.record("A", "keep-" + id + ".mop.example.com.", "10.1.1.1");

        // While the instance lives, a launch notification teaches Lifeguard its address...
        String launched = notification("notification-launch.json", "mop-web", id);
        publish(launched);
        world.awaitOutcome("seeds", Fixtures.parse(launched).idempotencyKey(), "SUCCEEDED");
        terminate(id);
        // ...which the cleanup after termination needs, since EC2 has forgotten it by then.
        String terminated = notification("notification-terminate.json", "mop-web", id);
        publish(terminated);

        Map<String, AttributeValue> outcome = world.awaitOutcome("seeds", Fixtures.parse(terminated).idempotencyKey(), "SUCCEEDED");
        assertEquals(List.of(
                List.of("knife", "search", "node", "ec2_instance_id:" + id, "-i", "-F", "json", "-c", "/etc/chef/knife.rb"),
                List.of("knife", "node", "delete", node, "-y", "-c", "/etc/chef/knife.rb"),
                List.of("knife", "client", "delete", node, "-y", "-c", "/etc/chef/knife.rb")),
                knifeCallsFor(id, node));
        List<String> names = world.recordNames();
        assertFalse(names.contains(id + ".mop.example.com."), "the record named after the instance is gone");
        assertFalse(names.contains("ip-" + id + ".mop.example.com."), "the record pointing at its private IP is gone");
        assertTrue(names.contains("keep-" + id + ".mop.example.com."), "unrelated records stay");
        assertTrue(outcome.get("steps").s().contains("chef-cleanup SUCCEEDED"), outcome.get("steps").s());
        assertTrue(outcome.get("steps").s().contains("route53-cleanup SUCCEEDED"), outcome.get("steps").s());
        assertEquals(2, outcome.get("stepResults").l().size());
    }

    @Test
    void seed000CleanupRequestIsRefusedWhileTheInstanceRunsAndHonouredAfter() {
        Instance instance = world.launch();
        String node = "boot-" + instance.instanceId().substring(2) + ".example.com";
        String request = "{\"Event\":\"lambda_mop:DELETE\",\"RequestId\":\"" + UUID.randomUUID() + "\",\"NodeName\":\"" + node
                + "\",\"IpAddress\":\"" + instance.privateIpAddress() + "\"}";
        publish(request);
        Map<String, AttributeValue> refused = world.awaitOutcome("seeds", Fixtures.parse(request).idempotencyKey(), "REFUSED");
        assertTrue(refused.get("lastError").s().contains(instance.instanceId()), refused.get("lastError").s());
        assertTrue(FakeTools.callsAbout(node).isEmpty(), "nothing runs against a live instance");

        terminate(instance.instanceId());
        String again = request.replaceFirst("\"RequestId\":\"[^\"]+\"", "\"RequestId\":\"" + UUID.randomUUID() + "\"");
        publish(again);
        world.awaitOutcome("seeds", Fixtures.parse(again).idempotencyKey(), "SUCCEEDED");
        assertTrue(FakeTools.callsAbout(node).contains(List.of("knife", "node", "delete", node, "-y", "-c", "/etc/chef/knife.rb")));
    }

    @Test
    void seed001NomadDrainRunsThroughSsmThenTheHookCompletes() {
        String id = world.launch().instanceId();
        String body = MotoWorld.hook("hook-terminating.json", "nomad-clients", id);
        LifecycleEvent event = Fixtures.parse(body);
        send(body);

        Map<String, AttributeValue> outcome = world.awaitOutcome("seeds", event.idempotencyKey(), "SUCCEEDED");
        Command command = commandFor(id);
        assertEquals("AWS-RunShellScript", command.documentName());
        assertEquals(List.of("nomad node drain -enable -self -y",
                "nomad node status -self -json | jq -e '.SchedulingEligibility == \"ineligible\"'"),
                command.parameters().get("commands"));
        assertEquals("CONTINUE", onlyCompletion(event).get("LifecycleActionResult"));
        assertTrue(outcome.get("steps").s().contains("nomad-drain SUCCEEDED"), outcome.get("steps").s());
        // The drain ran because Auto Scaling confirmed the hook (ForgedEventsTest: a forged one sends none).
        world.assertConfirmedBeforeCompletion(event);
    }

    @Test
    void seed002CloudreachDeletesNodeAndClientNamedAfterTheInstanceFromAnSnsNotification() {
        String id = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
        String body = notification("sns-terminate.json", "cloudreach-asg", id);
        publishRaw(body);
        world.awaitOutcome("seeds", Fixtures.parse(body).idempotencyKey(), "SUCCEEDED");
        assertEquals(List.of(List.of("knife", "node", "delete", id, "-y"), List.of("knife", "client", "delete", id, "-y")),
                FakeTools.callsAbout(id));
    }

    @Test
    void seed002ANodeAlreadyGoneCountsAsDone() {
        String id = "i-" + UUID.randomUUID().toString().replace("-", "").substring(0, 17);
        FakeTools.write("chef-gone", id + "\n");
        String body = notification("notification-terminate.json", "cloudreach-asg", id);
        publish(body);
        Map<String, AttributeValue> outcome = world.awaitOutcome("seeds", Fixtures.parse(body).idempotencyKey(), "SUCCEEDED");
        assertTrue(outcome.get("steps").s().contains("chef-cleanup ALREADY_DONE"), outcome.get("steps").s());
    }

    @Test
    void seed003EventBridgeLifecycleActionUploadsLogsThroughSsmThenCompletes() {
        String id = world.launch().instanceId();
        String body = MotoWorld.hook("eventbridge-terminate-lifecycle-action.json", "logs-asg", id);
        LifecycleEvent event = Fixtures.parse(body);
        send(body);

        world.awaitOutcome("seeds", event.idempotencyKey(), "SUCCEEDED");
        Command command = commandFor(id);
        assertEquals("seed-003-logs", command.outputS3BucketName());
        assertEquals("tar -cvf /tmp/data-" + id + ".tar /tmp/testforSSMAutomation.txt", command.parameters().get("commands").get(0));
        assertEquals("CONTINUE", onlyCompletion(event).get("LifecycleActionResult"));
        world.assertConfirmedBeforeCompletion(event);
    }

    @Test
    void seed004SaltAcceptsTheKeyRunsHighstateCleansAndDeletesTheKey() {
        String id = world.launch().instanceId();
        String minion = "salt-minions-" + id;

        String launching = MotoWorld.hook("hook-launching.json", "salt-minions", id);
        send(launching);
        world.awaitOutcome("seeds", Fixtures.parse(launching).idempotencyKey(), "SUCCEEDED");
        assertEquals("CONTINUE", onlyCompletion(Fixtures.parse(launching)).get("LifecycleActionResult"));

        String terminating = MotoWorld.hook("hook-terminating.json", "salt-minions", id);
        send(terminating);
        world.awaitOutcome("seeds", Fixtures.parse(terminating).idempotencyKey(), "SUCCEEDED");
        terminate(id);

        String terminated = notification("notification-terminate.json", "salt-minions", id);
        send(terminated);
        world.awaitOutcome("seeds", Fixtures.parse(terminated).idempotencyKey(), "SUCCEEDED");

        assertEquals(List.of(
                List.of("salt-key", "-a", minion, "-y"),
                List.of("salt", minion, "state.highstate", "--out", "json"),
                List.of("salt", minion, "state.sls", "clean", "--out", "json"),
                List.of("salt-key", "-d", minion, "-y")), FakeTools.callsAbout(minion));
        // What AWS confirmed first: each hook with Auto Scaling; before the key was deleted, EC2
        // that the instance had terminated (ForgedEventsTest: forged ones of each run nothing).
        world.assertConfirmedBeforeCompletion(Fixtures.parse(launching));
        world.assertConfirmedBeforeCompletion(Fixtures.parse(terminating));
    }

    @Test
    void seed004AFailingHighstateAbandonsTheLaunchOnTheLastAttempt() {
        String id = world.launch().instanceId();
        FakeTools.write("fail-state", "Pillar render error: Rendering SLS 'base' failed");
        String launching = MotoWorld.hook("hook-launching.json", "salt-minions", id);
        LifecycleEvent event = Fixtures.parse(launching);
        send(launching);

        Map<String, AttributeValue> outcome = world.awaitOutcome("seeds", event.idempotencyKey(), "GAVE_UP");
        assertEquals("3", outcome.get("attempts").n());
        assertTrue(outcome.get("lastError").s().contains("Pillar render error"), outcome.get("lastError").s());
        assertEquals("ABANDON", onlyCompletion(event).get("LifecycleActionResult"));
    }

    @Test
    void aGroupNameWithShellMetacharactersIsAcceptedButTheSaltStepRefusesItAsATarget() {
        String id = world.launch().instanceId();
        // AWS allows ';' in a group name, so the hook is a valid event and must be completed; the
        // salt-* profile's minion id would carry it, so the step refuses before salt-key runs.
        String body = MotoWorld.hook("hook-launching.json", "salt-minions;reboot", id);
        LifecycleEvent event = Fixtures.parse(body);
        assertEquals("salt-minions;reboot", event.groupName());
        send(body);

        Map<String, AttributeValue>[] item = new Map[1];
        Fixtures.awaitUntil("the hook completed with the Salt step's reason recorded", PATIENCE, () -> {
            item[0] = world.dynamoDb.getItem(r -> r.tableName("seeds").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(event.idempotencyKey())))).item();
            return item[0].containsKey("lastError") && item[0].containsKey("hookResult");
        });
        String error = item[0].get("lastError").s();
        assertTrue(error.contains("minion id \"salt-minions;reboot-" + id + "\" is not a safe Salt target"), error);
        assertEquals("ABANDON", onlyCompletion(event).get("LifecycleActionResult"));
        assertTrue(FakeTools.callsAbout(id).isEmpty(), "neither salt-key nor salt ran");
        assertTrue(FakeTools.callsAbout("salt-minions;reboot").isEmpty());
    }

    // --- the world, over its APIs ---

    private void terminate(String instanceId) {
        world.ec2.terminateInstances(r -> r.instanceIds(instanceId));
    }

    private Command commandFor(String instanceId) {
        return world.ssm.listCommands(r -> r.instanceId(instanceId)).commands().get(0);
    }

    private List<List<String>> knifeCallsFor(String instanceId, String node) {
        return FakeTools.calls().stream()
                .filter(call -> call.get(0).equals("knife") && (call.contains("ec2_instance_id:" + instanceId) || call.contains(node)))
                .toList();
    }

    private static String notification(String fixture, String group, String instanceId) {
        return MotoWorld.hook(fixture, group, instanceId);
    }

    private void send(String body) {
        world.sqs.sendMessage(r -> r.queueUrl(world.queueUrl).messageBody(world.actions.sent(body)));
    }

    /** Through SNS: moto delivers it to the queue in an SNS envelope, as AWS does. */
    private void publish(String message) {
        world.actions.sent(message);
        world.sns.publish(r -> r.topicArn(world.topicArn).message(message).subject("Auto Scaling notification"));
    }

    /** An SNS envelope fixture: publish its inner message, so moto wraps it anew. */
    private void publishRaw(String envelope) {
        String inner = Fixtures.parseTree(envelope).path("Message").asText();
        publish(inner);
    }

    private Map<String, String> onlyCompletion(LifecycleEvent event) {
        List<LoggedRequest> completions = world.autoScaling.findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=CompleteLifecycleAction"))
                .withRequestBody(containing("LifecycleActionToken=" + event.actionToken())));
        assertEquals(1, completions.size(), "exactly one completion for " + event.describe());
        return Fixtures.form(completions.get(0));
    }

    private String awaitDeadLetterReason(String mentioning) {
        String dlq = world.sqs.getQueueUrl(r -> r.queueName(MotoWorld.DEAD_LETTER_QUEUE)).queueUrl();
        String[] reason = new String[1];
        Fixtures.awaitUntil("a dead letter about " + mentioning, PATIENCE, () -> {
            world.sqs.receiveMessage(r -> r.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(1).messageAttributeNames("All"))
                    .messages().stream().filter(m -> m.body().contains(mentioning)).findFirst()
                    .ifPresent(m -> reason[0] = m.messageAttributes().get("LifeguardReason").stringValue());
            return reason[0] != null;
        });
        return reason[0];
    }
}
