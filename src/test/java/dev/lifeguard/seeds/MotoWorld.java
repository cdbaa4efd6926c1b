package dev.lifeguard.seeds;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LiveActions;
import dev.lifeguard.local.LocalAutoScaling;
import dev.lifeguard.local.MotoServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The world the seed workflows run in: moto_server for SQS (fed by real SNS delivery),
 * DynamoDB, EC2, Route53, SSM and ECS, and WireMock for Auto Scaling, which moto does not serve.
 * Started once per JVM; {@link Beans}, listed first in the test's configuration classes, binds
 * the clients that Lifeguard's configuration then uses as they are.
 */
final class MotoWorld {
    static final String QUEUE = "seeds-in";
    static final String DEAD_LETTER_QUEUE = "seeds-dlq";
    static final String TOPIC = "asg-notifications";
    static final Path PROFILES = Path.of("target/seeds-profiles.yaml");
    static final Duration PATIENCE = Duration.ofSeconds(45);

    private static MotoWorld world;

    final MotoServer moto;
    final WireMockServer autoScaling;
    /** The lifecycle actions Auto Scaling knows (see {@link LiveActions}). */
    final LiveActions actions = new LiveActions();
    final SqsClient sqs;
    final SnsClient sns;
    final DynamoDbClient dynamoDb;
    final Ec2Client ec2;
    final Route53Client route53;
    final SsmClient ssm;
    final EcsClient ecs;
    final String zoneId;
    final String queueUrl;
    final String topicArn;

    private MotoWorld(MotoServer moto) {
        this.moto = moto;
        this.autoScaling = LocalAutoScaling.start(actions);
        this.sqs = client(SqsClient.builder());
        this.sns = client(SnsClient.builder());
        this.dynamoDb = client(DynamoDbClient.builder());
        this.ec2 = client(Ec2Client.builder());
        this.route53 = client(Route53Client.builder());
        this.ssm = client(SsmClient.builder());
        this.ecs = client(EcsClient.builder());

        this.queueUrl = sqs.createQueue(r -> r.queueName(QUEUE)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "2"))).queueUrl();
        sqs.createQueue(r -> r.queueName(DEAD_LETTER_QUEUE));
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        this.topicArn = sns.createTopic(r -> r.name(TOPIC)).topicArn();
        sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queueArn));

        String zone = route53.createHostedZone(r -> r.name("example.com.").callerReference("seeds")).hostedZone().id();
        this.zoneId = zone.substring(zone.lastIndexOf('/') + 1);
        writeProfiles();
    }

    static synchronized MotoWorld get() {
        if (world == null) {
            try {
                world = new MotoWorld(MotoServer.start(Path.of("target/seeds-moto.log")));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the seed workflows' stand-ins", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                world.autoScaling.stop();
                world.moto.close();
            }));
        }
        return world;
    }

    // --- the world over its APIs, for the tests that use it ---

    /** A running instance, with the private address moto gives it. */
    Instance launch() {
        String image = ec2.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        return ec2.runInstances(r -> r.imageId(image).minCount(1).maxCount(1)).instances().get(0);
    }

    void terminate(String instanceId) {
        ec2.terminateInstances(r -> r.instanceIds(instanceId));
    }

    /** Creates a record in the world's hosted zone. */
    void record(String type, String name, String value) {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(c -> c
                .action(ChangeAction.CREATE)
                .resourceRecordSet(s -> s.name(name).type(RRType.fromValue(type)).ttl(60L).resourceRecords(v -> v.value(value))))));
    }

    List<String> recordNames() {
        return route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
                .map(ResourceRecordSet::name).toList();
    }

    /** A fixture turned into a fresh event (new token and request id) for the given group and instance. */
    static String hook(String fixture, String group, String instanceId) {
        LifecycleEvent original = Fixtures.parse(Fixtures.read(fixture));
        return Fixtures.fresh(Fixtures.read(fixture))
                .replace(original.groupName(), group)
                .replace(original.instanceId(), instanceId);
    }

    /**
     * What Auto Scaling confirmed before the hook's steps ran and it was completed: the instance
     * was looked up (DescribeAutoScalingInstances naming it) and the hook's own token, group, hook
     * and instance were accepted in a heartbeat, both before the one accepted completion.
     */
    void assertConfirmedBeforeCompletion(LifecycleEvent hook) {
        List<LoggedRequest> calls = autoScaling.findAll(postRequestedFor(urlEqualTo("/")));
        Date completed = assertLookedUpBeforeCompletion(hook);
        Date beaten = calls.stream().filter(c -> isCall(c, "RecordLifecycleActionHeartbeat", hook))
                .map(LoggedRequest::getLoggedDate).min(Date::compareTo)
                .orElseThrow(() -> new AssertionError(hook.describe() + " was never confirmed with a heartbeat"));
        assertFalse(beaten.after(completed), "its token confirmed before it was completed");
    }

    /**
     * What Auto Scaling confirmed of a hook without steps before its completion (which is its
     * token's check): the instance was looked up. Returns when it was completed.
     */
    Date assertLookedUpBeforeCompletion(LifecycleEvent hook) {
        List<LoggedRequest> calls = autoScaling.findAll(postRequestedFor(urlEqualTo("/")));
        Date completed = calls.stream().filter(c -> isCall(c, "CompleteLifecycleAction", hook))
                .map(LoggedRequest::getLoggedDate).min(Date::compareTo)
                .orElseThrow(() -> new AssertionError(hook.describe() + " was never completed"));
        Date lookedUp = calls.stream().filter(c -> Fixtures.form(c).get("Action").equals("DescribeAutoScalingInstances")
                        && Fixtures.form(c).containsValue(hook.instanceId()))
                .map(LoggedRequest::getLoggedDate).min(Date::compareTo)
                .orElseThrow(() -> new AssertionError(hook.instanceId() + " was never looked up in Auto Scaling"));
        assertFalse(lookedUp.after(completed), "looked up before it was completed");
        return completed;
    }

    private static boolean isCall(LoggedRequest call, String action, LifecycleEvent hook) {
        Map<String, String> form = Fixtures.form(call);
        return action.equals(form.get("Action")) && hook.actionToken().equals(form.get("LifecycleActionToken"))
                && hook.instanceId().equals(form.get("InstanceId")) && hook.groupName().equals(form.get("AutoScalingGroupName"))
                && hook.hookName().equals(form.get("LifecycleHookName"));
    }

    /** Waits until the event's item in {@code table} has {@code result} and is no longer claimed. */
    Map<String, AttributeValue> awaitOutcome(String table, String key, String result) {
        Map<String, AttributeValue>[] item = new Map[1];
        Fixtures.awaitUntil(key + " recorded as " + result, PATIENCE, () -> {
            item[0] = dynamoDb.getItem(r -> r.tableName(table).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(key)))).item();
            return item[0].containsKey("result") && item[0].get("result").s().equals(result)
                    && item[0].containsKey("status") && !item[0].get("status").s().equals("CLAIMED");
        });
        return item[0];
    }

    /** Binds the world's clients before Lifeguard's configuration builds its own. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            MotoWorld world = get();
            Registry registry = camelContext.getRegistry();
            registry.bind("sqsClient", SqsClient.class, world.sqs);
            registry.bind("dynamoDbClient", DynamoDbClient.class, world.dynamoDb);
            registry.bind("ec2Client", Ec2Client.class, world.ec2);
            registry.bind("route53Client", Route53Client.class, world.route53);
            registry.bind("ssmClient", SsmClient.class, world.ssm);
            registry.bind("snsClient", SnsClient.class, world.sns);
            registry.bind("ecsClient", EcsClient.class, world.ecs);
            registry.bind("autoScalingClient", AutoScalingClient.class, AutoScalingClient.builder()
                    .endpointOverride(URI.create(world.autoScaling.baseUrl()))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(credentials())
                    .build());
        }
    }

    private void writeProfiles() {
        try {
            String template = Files.readString(Path.of("src/test/resources/profiles/seeds.yaml"), StandardCharsets.UTF_8);
            Files.createDirectories(PROFILES.getParent());
            Files.writeString(PROFILES, template.replace("${ZONE}", zoneId), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(URI.create(moto.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }
}
