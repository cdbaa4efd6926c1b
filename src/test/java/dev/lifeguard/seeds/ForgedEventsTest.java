package dev.lifeguard.seeds;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.FakeTools;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.metrics.LifeguardMetrics;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.BeanInject;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.ssm.model.Command;

/**
 * Messages anyone allowed to publish could write, and replays of real ones: none may make
 * Lifeguard act on something alive. The real routes and the seed profiles, moto_server for SQS,
 * DynamoDB, EC2, Route53 and SSM, and an Auto Scaling stand-in that knows which lifecycle actions
 * are live ({@link dev.lifeguard.local.LiveActions}): a forged hook is one put on the queue
 * without Auto Scaling having started its action.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {MotoWorld.Beans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=" + MotoWorld.QUEUE,
            "lifeguard.dead-letter-queue=" + MotoWorld.DEAD_LETTER_QUEUE,
            "lifeguard.table=forged",
            "lifeguard.table.create=true",
            "lifeguard.profiles=target/seeds-profiles.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=2",
            "lifeguard.max-attempts=3",
        })
class ForgedEventsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private final MotoWorld world = MotoWorld.get();

    @BeanInject
    LifeguardMetrics metrics;

    /**
     * A forged or replayed terminating hook for an instance in service: Auto Scaling's answer
     * (DescribeAutoScalingInstances: InService, not Terminating:Wait) refuses it before anything
     * runs, with steps (no drain) or without (no completion is even sent).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nomad-forged", "mop-forged"})
    void aForgedTerminatingHookForALiveInstanceRunsNothing(String group) {
        String id = world.launch().instanceId();
        world.actions.place(id, group, "InService");
        String forged = MotoWorld.hook("hook-terminating.json", group, id);
        LifecycleEvent event = Fixtures.parse(forged);
        double before = refusals("not-waiting");

        sendForged(forged);

        Map<String, AttributeValue> outcome = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED");
        String reason = outcome.get("lastError").s();
        assertTrue(reason.contains("instance " + id + " is InService in its group, not Terminating:Wait"), reason);
        assertDeadLetteredOnce(id, reason);
        assertEquals(List.of(), commandsOn(id), "no drain was sent");
        assertEquals(0, completions(event.actionToken()), "no completion was sent");
        assertEquals(before + 1, refusals("not-waiting"));
    }

    @Test
    void aForgedTokenForAnInstanceWaitingOnItsRealHookIsRefusedAndTheRealHookRunsOnce() {
        double before = refusals("not-active");
        ForgedToken f = forgedTokenFor("nomad-forged");
        String id = f.real().instanceId();
        String real = f.realBody();
        LifecycleEvent realEvent = f.real();
        LifecycleEvent forgedEvent = f.forged();
        String reason = f.reason();
        assertEquals(List.of(), commandsOn(id), "the forged hook sent no drain");

        sendForged(real);
        world.awaitOutcome("forged", realEvent.idempotencyKey(), "SUCCEEDED");
        world.assertConfirmedBeforeCompletion(realEvent);
        assertEquals(1, commandsOn(id).size(), "the real hook drained once");
        assertEquals(1, completions(realEvent.actionToken()), "the real hook was completed once");
        assertEquals(0, completions(forgedEvent.actionToken()));
        assertDeadLetteredOnce(forgedEvent.actionToken(), reason);
        assertEquals(before + 1, refusals("not-active"));
    }

    @Test
    void aForgedTokenForAHookWithoutStepsIsRefusedByItsCompletionAndTheRealHookIsCompletedOnce() {
        // mop-* groups have no terminating steps: the completion is sent at once, and is the token's check.
        double before = refusals("not-active");
        ForgedToken f = forgedTokenFor("mop-forged");
        String real = f.realBody();
        LifecycleEvent realEvent = f.real();
        LifecycleEvent forgedEvent = f.forged();
        String reason = f.reason();
        assertEquals(1, calls("CompleteLifecycleAction", forgedEvent.actionToken()), "its completion was its check");

        sendForged(real);
        world.awaitOutcome("forged", realEvent.idempotencyKey(), "SUCCEEDED");
        assertEquals(1, completions(realEvent.actionToken()), "the real hook was completed once");
        world.assertLookedUpBeforeCompletion(realEvent);
        assertEquals(0, calls("RecordLifecycleActionHeartbeat", realEvent.actionToken()), "no heartbeat for a hook without steps");
        assertEquals(0, calls("RecordLifecycleActionHeartbeat", forgedEvent.actionToken()));
        assertDeadLetteredOnce(forgedEvent.actionToken(), reason);
        assertEquals(before + 1, refusals("not-active"));
    }

    @Test
    void aCopyClaimingTheWarmPoolForTheSameActionSentFirstNeitherBlocksNorRepeatsTheRealHook() {
        String id = world.launch().instanceId();
        String real = MotoWorld.hook("hook-terminating.json", "nomad-forged", id);
        LifecycleEvent realEvent = Fixtures.parse(real);
        world.actions.sent(real);
        String copy = real.replace("\"LifecycleTransition\"", "\"Destination\": \"WarmPool\", \"LifecycleTransition\"");
        LifecycleEvent copyEvent = Fixtures.parse(copy);
        assertEquals(realEvent.idempotencyKey(), copyEvent.idempotencyKey(), "the same action: one key");

        sendForged(copy);
        String reason = world.awaitOutcome("forged", copyEvent.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("not Warmed:Pending:Wait"), reason);
        sendForged(real);

        Map<String, AttributeValue> outcome = world.awaitOutcome("forged", realEvent.idempotencyKey(), "SUCCEEDED");
        world.assertConfirmedBeforeCompletion(realEvent);
        assertEquals("1", outcome.get("attempts").n(), "the refused copy did not count as an attempt");
        assertEquals(1, commandsOn(id).size(), "the real hook drained once");
        assertEquals(1, completions(realEvent.actionToken()), "the real hook was completed once");
    }

    @Test
    void aRetryOfAHookThatTimedOutMeanwhileRunsNothingAndIsRecordedAsAlreadyEnded() {
        String id = world.launch().instanceId();
        String body = MotoWorld.hook("hook-launching.json", "salt-retried", id);
        LifecycleEvent event = Fixtures.parse(body);
        world.actions.sent(body);
        FakeTools.write("fail-state", "Minion did not return");
        try {
            sendForged(body);
            world.awaitOutcome("forged", event.idempotencyKey(), "RETRYING");
            int firstAttempt = FakeTools.callsAbout("salt-retried-" + id).size();
            // The hook times out before the message comes back.
            world.actions.expire(event.actionToken());
            FakeTools.remove("fail-state");

            Map<String, AttributeValue> outcome = world.awaitOutcome("forged", event.idempotencyKey(), "ALREADY_ENDED");
            assertEquals("2", outcome.get("attempts").n());
            assertTrue(outcome.get("lastError").s().contains("Auto Scaling has no live action"), outcome.get("lastError").s());
            assertEquals(firstAttempt, FakeTools.callsAbout("salt-retried-" + id).size(), "nothing ran again");
            assertEquals(0, completions(event.actionToken()), "nothing was completed");
        } finally {
            FakeTools.remove("fail-state");
        }
    }

    @Test
    void aForgedLaunchingHookForASaltAcceptGroupAcceptsNoKey() {
        // A rogue machine presenting the minion id salt-forged-<id>: no such instance in any group.
        String id = "i-0" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String forged = MotoWorld.hook("hook-launching.json", "salt-forged", id);
        LifecycleEvent event = Fixtures.parse(forged);

        sendForged(forged);

        String reason = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("instance " + id + " is in no Auto Scaling group"), reason);
        assertEquals(List.of(), FakeTools.callsAbout("salt-forged-" + id), "salt-key never ran");
        assertEquals(0, completions(event.actionToken()));
        assertDeadLetteredOnce(id, reason);
    }

    @Test
    void aCopyOfARealTokenNamingAnotherInstanceNeitherRunsNorGetsInTheRealHooksWay() {
        String realId = world.launch().instanceId();
        String otherId = world.launch().instanceId();
        String real = MotoWorld.hook("hook-terminating.json", "nomad-copies", realId);
        LifecycleEvent realEvent = Fixtures.parse(real);
        world.actions.sent(real);
        // The worst case: the other instance waits in the same group on its own hook.
        world.actions.sent(MotoWorld.hook("hook-terminating.json", "nomad-copies", otherId));
        String copy = real.replace(realId, otherId);
        LifecycleEvent copyEvent = Fixtures.parse(copy);
        assertTrue(!copyEvent.idempotencyKey().equals(realEvent.idempotencyKey()), "the copy is its own event");

        sendForged(copy);
        String reason = world.awaitOutcome("forged", copyEvent.idempotencyKey(), "REFUSED").get("lastError").s();
        sendForged(real);

        world.awaitOutcome("forged", realEvent.idempotencyKey(), "SUCCEEDED");
        world.assertConfirmedBeforeCompletion(realEvent);
        assertTrue(reason.contains("Auto Scaling has no live action for this token"), reason);
        assertEquals(List.of(), commandsOn(otherId), "nothing ran on the other instance");
        assertEquals(1, commandsOn(realId).size(), "the real hook drained once");
        assertEquals(1, completions(realEvent.actionToken()), "the real hook was completed once, by the real event");
        assertDeadLetteredOnce(otherId, reason);
    }

    @Test
    void aForgedTerminatingHookForASaltGroupRunsNoStateOnALiveMinion() {
        // salt-* terminating runs state.sls clean on the minion: only once Auto Scaling confirms
        // the instance waits in Terminating:Wait on that token (SeedWorkflowsTest seed004).
        String id = world.launch().instanceId();
        world.actions.place(id, "salt-forged", "InService");
        String forged = MotoWorld.hook("hook-terminating.json", "salt-forged", id);
        LifecycleEvent event = Fixtures.parse(forged);

        sendForged(forged);

        String reason = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("is InService in its group, not Terminating:Wait"), reason);
        assertEquals(List.of(), FakeTools.callsAbout("salt-forged-" + id), "no salt state ran");
        assertEquals(0, completions(event.actionToken()));
        assertDeadLetteredOnce(id, reason);
    }

    @Test
    void aForgedTerminateNotificationForALiveInstanceDeletesNoSaltKey() {
        // salt-* terminated deletes the minion's key: only once EC2 says the instance is gone
        // (SeedWorkflowsTest seed004 terminates it first).
        Instance live = world.launch();
        String forged = notification("notification-terminate.json", "salt-forged", live.instanceId());
        LifecycleEvent event = Fixtures.parse(forged);
        double before = refusals("instance-alive");

        sendForged(forged);

        String reason = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("instance " + live.instanceId() + " is still ") && reason.contains(" in EC2"), reason);
        assertEquals(List.of(), FakeTools.callsAbout("salt-forged-" + live.instanceId()), "salt-key -d never ran");
        assertDeadLetteredOnce(live.instanceId(), reason);
        assertEquals(before + 1, refusals("instance-alive"));
    }

    @Test
    void aCleanupRequestWithADeadIdAndALiveNodeNameAndAddressTouchesNothing() {
        Instance live = world.launch();
        String address = live.privateIpAddress();
        String node = live.privateDnsName();
        world.record("A", "web-" + live.instanceId() + ".mop.example.com.", address);
        String deadId = "i-0" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        String request = "{\"Event\":\"lifeguard:CLEANUP\",\"RequestId\":\"" + UUID.randomUUID() + "\",\"EC2InstanceId\":\"" + deadId
                + "\",\"NodeName\":\"" + node + "\",\"IpAddress\":\"" + address + "\"}";
        LifecycleEvent event = Fixtures.parse(request);
        double before = refusals("identifier-alive");

        sendForged(request);

        String reason = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("address " + address + " belongs to live instance " + live.instanceId()), reason);
        assertTrue(reason.contains("name " + node + " belongs to live instance " + live.instanceId()), reason);
        assertEquals(List.of(), FakeTools.callsAbout(node), "knife never ran");
        assertTrue(world.recordNames().contains("web-" + live.instanceId() + ".mop.example.com."), "the live instance's record stays");
        assertDeadLetteredOnce(deadId, reason);
        assertEquals(before + 1, refusals("identifier-alive"));
    }

    @Test
    void aReplayedTerminationWhoseAddressNowBelongsToALiveInstanceTouchesNothing() {
        Instance gone = world.launch();
        String address = gone.privateIpAddress();
        String launched = notification("notification-launch.json", "mop-replay", gone.instanceId());
        sendForged(launched);
        world.awaitOutcome("forged", Fixtures.parse(launched).idempotencyKey(), "SUCCEEDED"); // its address is learnt
        String terminated = notification("notification-terminate.json", "mop-replay", gone.instanceId());
        world.ec2.terminateInstances(r -> r.instanceIds(gone.instanceId()));
        // Weeks later the address belongs to another instance, which has a record of its own.
        String image = world.ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        Instance holder = world.ec2.runInstances(r -> r.imageId(image).minCount(1).maxCount(1).privateIpAddress(address))
                .instances().get(0);
        assertEquals(address, holder.privateIpAddress(), "the stand-in reuses the address");
        world.record("A", "new-" + holder.instanceId() + ".mop.example.com.", address);

        sendForged(terminated);

        LifecycleEvent event = Fixtures.parse(terminated);
        String reason = world.awaitOutcome("forged", event.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("address " + address + " belongs to live instance " + holder.instanceId()), reason);
        assertTrue(world.recordNames().contains("new-" + holder.instanceId() + ".mop.example.com."), "the new holder's record stays");
        assertTrue(FakeTools.calls().stream().noneMatch(call -> call.contains("ec2_instance_id:" + gone.instanceId())),
                "knife never ran");
        assertDeadLetteredOnce(gone.instanceId(), reason);
    }

    // --- the world, over its APIs ---

    /** Puts a body on the queue without Auto Scaling knowing of it: what anyone who may publish can do. */
    /** A real hook Auto Scaling waits on, and a copy with a forged token sent and refused; the real one not sent yet. */
    private record ForgedToken(String realBody, LifecycleEvent real, LifecycleEvent forged, String reason) {
    }

    private ForgedToken forgedTokenFor(String group) {
        String id = world.launch().instanceId();
        String real = MotoWorld.hook("hook-terminating.json", group, id);
        LifecycleEvent realEvent = Fixtures.parse(real);
        world.actions.sent(real);
        // The attacker knows the group, hook and instance, not the token.
        String forged = real.replace(realEvent.actionToken(), UUID.randomUUID().toString());
        LifecycleEvent forgedEvent = Fixtures.parse(forged);
        sendForged(forged);
        String reason = world.awaitOutcome("forged", forgedEvent.idempotencyKey(), "REFUSED").get("lastError").s();
        assertTrue(reason.contains("Auto Scaling has no live action for this token"), reason);
        return new ForgedToken(real, realEvent, forgedEvent, reason);
    }

    private void sendForged(String body) {
        world.sqs.sendMessage(r -> r.queueUrl(world.queueUrl).messageBody(body));
    }

    /**
     * SendCommand calls Lifeguard made for this instance, known by the comment it writes
     * ("… instance=i-… hook=…"): the stand-in's own instance filter also matches other commands.
     */
    private List<Command> commandsOn(String instanceId) {
        return world.ssm.listCommandsPaginator(r -> r.maxResults(50)).commands().stream()
                .filter(c -> c.comment() != null && c.comment().contains(" instance=" + instanceId + " "))
                .toList();
    }

    private long completions(String token) {
        return calls("CompleteLifecycleAction", token);
    }

    /** Auto Scaling calls naming this token, accepted or not. */
    private long calls(String action, String token) {
        return world.autoScaling.findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=" + action))
                .withRequestBody(containing("LifecycleActionToken=" + token))).size();
    }

    private double refusals(String reason) {
        Counter counter = metrics.registry().find("lifeguard.refusals").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** Exactly one dead letter mentions {@code mentioning}, and it carries the recorded reason. */
    private void assertDeadLetteredOnce(String mentioning, String reason) {
        String dlq = world.sqs.getQueueUrl(r -> r.queueName(MotoWorld.DEAD_LETTER_QUEUE)).queueUrl();
        List<Message> found = Fixtures.deadLetters(world.sqs, dlq, mentioning, PATIENCE);
        assertEquals(1, found.size(), "dead-lettered once");
        String attribute = found.get(0).messageAttributes().get("LifeguardReason").stringValue();
        assertTrue(attribute.contains(reason.replaceFirst("^refused: ", "")), attribute);
    }

    private static String notification(String fixture, String group, String instanceId) {
        return MotoWorld.hook(fixture, group, instanceId);
    }
}
