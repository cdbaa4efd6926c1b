package dev.lifeguard.steps.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.MotoServer;
import dev.lifeguard.local.StandInBeans;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * The ecs-drain step through the real routes and engine: ECS is moto_server (its container
 * instances, their states and their tasks), Auto Scaling the fleet stand-in, which keeps every
 * heartbeat and completion; SQS and DynamoDB the in-process stand-ins. moto moves no task when
 * an instance drains: the test stops them, as the services' schedulers would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, EcsDrainTest.World.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=ecs-drain-test",
            "lifeguard.dead-letter-queue=ecs-drain-test-dlq",
            "lifeguard.table=ecs-drain-test",
            "lifeguard.table.create=true",
            "lifeguard.profiles=src/test/resources/profiles/ecs.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=4",
            "lifeguard.hook.heartbeat-seconds=1",
            // A drain past its timeout is given up on at once, not retried by redelivery.
            "lifeguard.max-attempts=3",
        })
class EcsDrainTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    static final FleetStandIn FLEET = FleetStandIn.start();
    static MotoServer moto;
    static EcsClient ecs;
    /** moto's EC2, where the instances are launched: moto registers only an instance it knows. */
    static Ec2Client ec2;

    private final LocalAws aws = LocalAws.shared();

    /** Auto Scaling and EC2 at the fleet stand-in; ECS at moto, with the clusters "web" and "batch". */
    public static class World implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            FLEET.bindClients(camelContext);
            try {
                moto = MotoServer.start(Path.of("target/ecs-moto.log"));
            } catch (Exception e) {
                throw new IllegalStateException("could not start moto_server", e);
            }
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
            ecs = EcsClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).build();
            ec2 = Ec2Client.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).build();
            ecs.createCluster(r -> r.clusterName("web"));
            ecs.createCluster(r -> r.clusterName("batch"));
            for (String family : List.of("api", "backup")) {
                ecs.registerTaskDefinition(r -> r.family(family).containerDefinitions(c -> c.name(family).image("busybox").memory(64)));
            }
            camelContext.getRegistry().bind("ecsClient", EcsClient.class, ecs);
        }
    }

    @AfterAll
    void stop() {
        FLEET.close();
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void anInstanceWithServiceTasksIsSetDrainingParkedHeartbeatedAndCompletedOnceTheyAreGone() {
        String body = hook("ecs-web");
        LifecycleEvent hook = Fixtures.parse(body);
        String containerInstance = register("web", hook.instanceId());
        List<Task> service = start("web", containerInstance, "api", "service:api", 2);
        start("web", containerInstance, "backup", "family:backup", 1);
        send(body);

        Fixtures.awaitUntil("container instance set DRAINING", PATIENCE, () -> "DRAINING".equals(status("web", containerInstance)));
        Fixtures.awaitUntil("two heartbeats while the service tasks run", PATIENCE, () -> FLEET.heartbeats(hook.actionToken()).size() >= 3);
        assertTrue(FLEET.completions(hook.actionToken()).isEmpty(), "not completed while service tasks run there");

        service.forEach(task -> ecs.stopTask(r -> r.cluster("web").task(task.taskArn()).reason("moved by the service")));
        Fixtures.awaitUntil("completion", PATIENCE, () -> !FLEET.completions(hook.actionToken()).isEmpty());
        assertEquals(1, FLEET.completions(hook.actionToken()).size());
        assertEquals("CONTINUE", FLEET.completions(hook.actionToken()).get(0).result());
        Map<String, AttributeValue> outcome = awaitOutcome(hook, "SUCCEEDED");
        String detail = stepDetail(outcome);
        assertTrue(detail.contains("is DRAINING and runs no service task; left standalone tasks {family:backup=1}"), detail);
    }

    @Test
    void anInstanceThatIsNoContainerInstanceIsSkippedWithTheReason() {
        String body = hook("ecs-web");
        LifecycleEvent hook = Fixtures.parse(body);
        String other = launch();
        register("web", other); // another instance of the cluster, which stays as it is
        send(body);

        Fixtures.awaitUntil("completion", PATIENCE, () -> !FLEET.completions(hook.actionToken()).isEmpty());
        assertEquals("CONTINUE", FLEET.completions(hook.actionToken()).get(0).result());
        Map<String, AttributeValue> outcome = awaitOutcome(hook, "SUCCEEDED");
        assertTrue(outcome.get("steps").s().contains("ecs-drain SKIPPED"), outcome.get("steps").s());
        assertEquals(hook.instanceId() + " is not a container instance in clusters [batch, web]: nothing to drain", stepDetail(outcome));
        assertTrue(ecs.describeContainerInstances(r -> r.cluster("web").containerInstances(
                        ecs.listContainerInstances(l -> l.cluster("web")).containerInstanceArns()))
                .containerInstances().stream().filter(ci -> ci.ec2InstanceId().equals(other))
                .allMatch(ci -> ci.status().equals("ACTIVE")), "no other container instance is drained");
    }

    @Test
    void aDrainPastItsTimeoutFailsWithTheHooksOnFailureResult() {
        String body = hook("ecs-slow");
        LifecycleEvent hook = Fixtures.parse(body);
        String containerInstance = register("web", hook.instanceId());
        start("web", containerInstance, "api", "service:api", 1);
        send(body);

        Fixtures.awaitUntil("completion", PATIENCE, () -> !FLEET.completions(hook.actionToken()).isEmpty());
        assertEquals(1, FLEET.completions(hook.actionToken()).size());
        assertEquals("ABANDON", FLEET.completions(hook.actionToken()).get(0).result());
        Map<String, AttributeValue> outcome = awaitOutcome(hook, "GAVE_UP");
        assertEquals("1", outcome.get("attempts").n(), "given up on its first attempt, not after redeliveries");
        assertTrue(outcome.get("lastError").s().contains("still runs service tasks {service:api=1} and standalone tasks {} after 3 s;"
                + " it stays DRAINING"), outcome.get("lastError").s());
        assertEquals("DRAINING", status("web", containerInstance));
    }

    /** A fresh terminating hook of the group for a new instance in moto's EC2. */
    private static String hook(String group) {
        return Fixtures.fresh(Fixtures.read("hook-terminating.json")).replace("exampleAutoScalingGroup", group)
                .replace("i-883a3a42", launch());
    }

    /**
     * A forged or replayed terminating hook for a container instance in service: Auto Scaling's
     * answer (InService, not Terminating:Wait) refuses it before the drain, so ECS keeps placing
     * tasks there.
     */
    @Test
    void aForgedHookForAnInstanceInServiceDrainsNothing() {
        String body = hook("ecs-web");
        LifecycleEvent hook = Fixtures.parse(body);
        String containerInstance = register("web", hook.instanceId());
        start("web", containerInstance, "api", "service:api", 1);
        FLEET.actions().place(hook.instanceId(), "ecs-web", "InService");
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("ecs-drain-test")).queueUrl();
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body)); // no lifecycle action behind it

        Map<String, AttributeValue> outcome = awaitOutcome(hook, "REFUSED");
        assertTrue(outcome.get("lastError").s().contains("is InService in its group, not Terminating:Wait"),
                outcome.get("lastError").s());
        assertEquals("ACTIVE", status("web", containerInstance), "not drained");
        assertTrue(FLEET.completions(hook.actionToken()).isEmpty(), "nothing completed");
    }

    private static String launch() {
        return ec2.runInstances(r -> r.imageId("ami-12c6146b").minCount(1).maxCount(1)).instances().get(0).instanceId();
    }

    /** Registers the EC2 instance as a container instance, as its ECS agent would; returns the container instance's ARN. */
    private static String register(String cluster, String instanceId) {
        return ecs.registerContainerInstance(r -> r.cluster(cluster)
                        .instanceIdentityDocument("{\"instanceId\":\"" + instanceId + "\",\"region\":\"us-east-1\"}"))
                .containerInstance().containerInstanceArn();
    }

    private static List<Task> start(String cluster, String containerInstance, String family, String group, int count) {
        List<String> on = java.util.Collections.nCopies(count, containerInstance);
        return ecs.startTask(r -> r.cluster(cluster).taskDefinition(family).containerInstances(on).group(group)
                .startedBy(group.startsWith("service:") ? "ecs-svc/1234567890" : "backup-job")).tasks();
    }

    private static String status(String cluster, String containerInstance) {
        return ecs.describeContainerInstances(r -> r.cluster(cluster).containerInstances(containerInstance))
                .containerInstances().get(0).status();
    }

    private void send(String body) {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("ecs-drain-test")).queueUrl();
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(FLEET.actions().sent(body)));
    }

    private Map<String, AttributeValue> awaitOutcome(LifecycleEvent hook, String result) {
        Map<String, AttributeValue>[] item = new Map[1];
        Fixtures.awaitUntil(hook.describe() + " recorded as " + result, PATIENCE, () -> {
            item[0] = aws.dynamoDb().getItem(r -> r.tableName("ecs-drain-test").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(hook.idempotencyKey())))).item();
            return item[0].containsKey("result") && item[0].get("result").s().equals(result)
                    && !"CLAIMED".equals(item[0].containsKey("status") ? item[0].get("status").s() : null);
        });
        return item[0];
    }

    /** The ecs-drain step's recorded detail. */
    private static String stepDetail(Map<String, AttributeValue> outcome) {
        return outcome.get("stepResults").l().get(0).m().get("detail").s();
    }
}
