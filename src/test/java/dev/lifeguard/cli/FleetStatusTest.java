package dev.lifeguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import dev.lifeguard.store.FleetView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code status} and the fleet view with two replicas: two services (each its own Camel context
 * and worker id) consume a queue each into one table in DynamoDB Local, and hold terminating
 * hooks parked on SSM drains the fleet stand-in keeps running. Each replica's events show once,
 * with that replica as their owner, its lease and the step it waits on.
 */
class FleetStatusTest {
    private static final String TABLE = "fleet-status";
    private static final FleetStandIn FLEET = FleetStandIn.start();
    private static final List<Replica> REPLICAS = new ArrayList<>();

    /** Auto Scaling, SSM and EC2 clients pointed at the fleet stand-in. */
    public static class Fleet implements CamelConfiguration {
        @Override
        public void configure(org.apache.camel.CamelContext camelContext) {
            FLEET.bindClients(camelContext);
        }
    }

    /** One service: its own queue, the shared table, the parked-drain profiles. */
    private record Replica(String queue, Main main, Thread thread, CountDownLatch started) {
        /** Starts it in the background: {@link #awaitStarted} waits for it. */
        static Replica start(String queue) {
            Main main = new Main();
            main.configure().addConfiguration(StandInBeans.class);
            main.configure().addConfiguration(Fleet.class);
            main.configure().addConfiguration(LifeguardConfiguration.class);
            main.setPropertyPlaceholderLocations("file:config/application.properties");
            Map<String, String> settings = new HashMap<>(Map.of(
                    "lifeguard.queue", queue,
                    "lifeguard.dead-letter-queue", queue + "-dlq",
                    "lifeguard.table", TABLE,
                    "lifeguard.table.create", "true",
                    "lifeguard.profiles", "src/test/resources/profiles/parked.yaml",
                    "lifeguard.poll.wait-seconds", "1",
                    "lifeguard.shutdown.grace-seconds", "1",
                    // Two replicas in one JVM: no management server, which would want the same port.
                    "camel.management.enabled", "false"));
            settings.forEach(main::addOverrideProperty);
            CountDownLatch started = new CountDownLatch(1);
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void afterStart(BaseMainSupport support) {
                    started.countDown();
                }
            });
            Thread thread = new Thread(() -> {
                try {
                    main.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "replica-" + queue);
            thread.start();
            return new Replica(queue, main, thread, started);
        }

        void awaitStarted() throws InterruptedException {
            assertTrue(started.await(60, TimeUnit.SECONDS), "replica on " + queue + " started");
        }

        List<LifecycleEvent> send(String group, int hooks) {
            LocalAws aws = LocalAws.shared();
            String url = aws.sqs().getQueueUrl(r -> r.queueName(queue)).queueUrl();
            List<LifecycleEvent> sent = new ArrayList<>();
            for (int i = 0; i < hooks; i++) {
                String body = Fixtures.terminatingHook(group);
                sent.add(Fixtures.parse(body));
                aws.sqs().sendMessage(r -> r.queueUrl(url).messageBody(FLEET.actions().sent(body)));
            }
            return sent;
        }

        void stop() throws InterruptedException {
            main.completed();
            thread.join(15_000);
        }
    }

    @BeforeAll
    static void twoReplicas() throws InterruptedException {
        // Drains that outlast the test: every hook stays parked on its command.
        FLEET.commandDuration(Duration.ofMinutes(10));
        // One after the other: started together, they contend for the same start-up work and take longer.
        for (String queue : List.of("fleet-status-a", "fleet-status-b")) {
            Replica replica = Replica.start(queue);
            REPLICAS.add(replica);
            replica.awaitStarted();
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Replica replica : REPLICAS) {
            replica.stop();
        }
        FLEET.close();
    }

    @Test
    void eachReplicasEventsShowOnceWithTheirOwnerLeaseAndWaitingStep() throws Exception {
        List<LifecycleEvent> ofA = REPLICAS.get(0).send("park-status-a", 2);
        List<LifecycleEvent> ofB = REPLICAS.get(1).send("park-status-b", 3);
        List<LifecycleEvent> all = new ArrayList<>(ofA);
        all.addAll(ofB);
        FleetView view = new FleetView(LocalAws.shared().dynamoDb(), TABLE);
        // Parked: the drain sent, and its command id recorded on the claim.
        Fixtures.awaitUntil("every hook parked on its drain", Duration.ofSeconds(20), () -> {
            List<FleetView.Event> events = view.events();
            return events.size() == all.size() && events.stream().allMatch(e -> e.steps().size() == 1
                    && e.steps().get(0).handle() != null);
        });

        CommandOutput json = status("--json");
        assertEquals(0, json.status(), json::toString);
        JsonNode root = Fixtures.parseTree(json.out());
        assertTrue(root.get("available").asBoolean());
        Map<String, JsonNode> byKey = new HashMap<>();
        for (JsonNode event : root.get("events")) {
            assertEquals(null, byKey.put(event.get("key").asText(), event), "each event once: " + json.out());
        }
        assertEquals(keys(all), byKey.keySet());
        String ownerA = owner(byKey, ofA);
        String ownerB = owner(byKey, ofB);
        assertNotEquals(ownerA, ownerB, "two replicas, two owners");
        for (LifecycleEvent hook : all) {
            JsonNode event = byKey.get(hook.idempotencyKey());
            assertEquals("TERMINATING", event.get("kind").asText());
            assertEquals(hook.groupName(), event.get("group").asText());
            assertEquals(hook.instanceId(), event.get("instance").asText());
            assertEquals(hook.hookName(), event.get("hook").asText());
            assertEquals("CLAIMED", event.get("status").asText());
            assertEquals(1, event.get("attempt").asInt());
            assertTrue(Instant.parse(event.get("leaseUntil").asText()).isAfter(Instant.now()), event::toString);
            JsonNode step = event.get("steps").get(0);
            assertEquals("drain", step.get("name").asText());
            assertEquals("WAITING", step.get("status").asText());
            assertEquals(FLEET.commandsFor(hook.instanceId()).get(0).commandId(), step.get("handle").asText());
        }

        CommandOutput text = status();
        assertEquals(0, text.status(), text::toString);
        assertTrue(text.out().startsWith("In flight in table " + TABLE + ": 5 events held by 2 replicas, oldest first."), text.out());
        for (LifecycleEvent hook : all) {
            String owner = ofA.contains(hook) ? ownerA : ownerB;
            List<String> rows = text.out().lines().filter(line -> line.contains(hook.instanceId())).toList();
            assertEquals(1, rows.size(), text.out());
            assertTrue(rows.get(0).contains(owner) && rows.get(0).contains(hook.groupName())
                    && rows.get(0).contains("drain WAITING on " + FLEET.commandsFor(hook.instanceId()).get(0).commandId()), rows.get(0));
        }

        // The page's JSON is the command's.
        FleetView.Snapshot snapshot = view.read();
        assertTrue(snapshot.available());
        assertEquals(keys(all), new HashSet<>(snapshot.events().stream().map(FleetView.Event::key).toList()));
    }

    private static String owner(Map<String, JsonNode> byKey, List<LifecycleEvent> hooks) {
        Set<String> owners = new HashSet<>();
        hooks.forEach(hook -> owners.add(byKey.get(hook.idempotencyKey()).get("owner").asText()));
        assertEquals(1, owners.size(), "one replica holds these: " + owners);
        return owners.iterator().next();
    }

    private static Set<String> keys(List<LifecycleEvent> hooks) {
        Set<String> keys = new HashSet<>();
        hooks.forEach(hook -> keys.add(hook.idempotencyKey()));
        return keys;
    }

    private static CommandOutput status(String... args) {
        return CommandOutput.onTable(TABLE, () -> LocalAws.shared().dynamoDb(), "status", args);
    }
}
