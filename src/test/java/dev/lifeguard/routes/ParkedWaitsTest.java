package dev.lifeguard.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Waiting holds no thread: with two step threads, forty drains are sent and waited on at once,
 * each hook heartbeated from one place; and a group's max-in-flight keeps its drains two at a time.
 * Real routes, ElasticMQ, DynamoDB Local and the fleet stand-in for Auto Scaling, SSM and EC2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, ParkedWaitsTest.Fleet.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=parked-test",
            "lifeguard.dead-letter-queue=parked-test-dlq",
            "lifeguard.table=parked-test",
            "lifeguard.table.create=true",
            "lifeguard.profiles=src/test/resources/profiles/parked.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=4",
            "lifeguard.hook.heartbeat-seconds=2",
            // Two threads for steps: a wait that held one would let two drains run at a time.
            "lifeguard.steps.threads=2",
        })
class ParkedWaitsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    static final FleetStandIn FLEET = FleetStandIn.start();

    private final LocalAws aws = LocalAws.shared();

    /** Auto Scaling, SSM and EC2 clients pointed at the fleet stand-in. */
    public static class Fleet implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            FLEET.bindClients(camelContext);
        }
    }

    @AfterAll
    void stop() {
        FLEET.close();
    }

    @Test
    void fortyDrainsWaitAtOnceOnTwoThreadsEachHeartbeatedAndCompletedOnce() {
        FLEET.commandDuration(Duration.ofSeconds(8));
        List<LifecycleEvent> hooks = send("park-fleet", 40);

        Fixtures.awaitUntil("all forty drains sent while the first still run", Duration.ofSeconds(7),
                () -> hooks.stream().allMatch(hook -> FLEET.commandsFor(hook.instanceId()).size() == 1));
        for (LifecycleEvent hook : hooks) {
            Fixtures.awaitUntil("completion of " + hook.describe(), PATIENCE, () -> !FLEET.completions(hook.actionToken()).isEmpty());
        }
        for (LifecycleEvent hook : hooks) {
            assertEquals(1, FLEET.completions(hook.actionToken()).size());
            assertEquals("CONTINUE", FLEET.completions(hook.actionToken()).get(0).result());
            assertEquals(1, FLEET.commandsFor(hook.instanceId()).size());
            List<Long> beats = FLEET.heartbeats(hook.actionToken());
            assertTrue(beats.size() >= 2, () -> hook.describe() + " was heartbeated " + beats.size() + " time(s)");
            for (int i = 1; i < beats.size(); i++) {
                long gap = beats.get(i) - beats.get(i - 1);
                assertTrue(gap <= 4_000, "heartbeats of one hook at most about 2 s apart, was " + gap + " ms");
            }
        }
    }

    @Test
    void maxInFlightKeepsAGroupsDrainsTwoAtATime() {
        FLEET.commandDuration(Duration.ofSeconds(3));
        List<LifecycleEvent> hooks = send("capped-fleet", 6);

        for (LifecycleEvent hook : hooks) {
            Fixtures.awaitUntil("completion of " + hook.describe(), PATIENCE, () -> !FLEET.completions(hook.actionToken()).isEmpty());
        }
        // Each drain runs on its instance for 3 s from its SendCommand; never more than two overlap.
        List<long[]> spans = new ArrayList<>();
        for (LifecycleEvent hook : hooks) {
            long sent = FLEET.commandsFor(hook.instanceId()).get(0).sentAtMillis();
            spans.add(new long[] {sent, sent + 3_000});
        }
        for (long[] span : spans) {
            long overlapping = spans.stream().filter(other -> other[0] <= span[0] && span[0] < other[1]).count();
            assertTrue(overlapping <= 2, "at most two drains of the group at once, found " + overlapping);
        }
        assertEquals(6, hooks.stream().filter(hook -> FLEET.completions(hook.actionToken()).size() == 1).count());
    }

    private List<LifecycleEvent> send(String group, int count) {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("parked-test")).queueUrl();
        List<LifecycleEvent> hooks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String body = Fixtures.terminatingHook(group);
            hooks.add(Fixtures.parse(body));
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(FLEET.actions().sent(body)));
        }
        return hooks;
    }
}
