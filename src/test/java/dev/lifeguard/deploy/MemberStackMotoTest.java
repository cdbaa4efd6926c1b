package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.MotoServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.StackResource;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.Target;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates deploy/member.yaml in moto_server in a member account and region (moto keeps one
 * backend per account, chosen per request), with a stand-in for the hub in another account and
 * region: a queue behind a rule on the hub's default bus. Reads back the rules, their target and
 * role, the forwarding role's and the hub role's policies, and the outputs; a listed group's event
 * put in the member account arrives in the hub's queue in a shape Lifeguard reads, another group's
 * does not. (moto neither enforces IAM nor keeps the event's account across buses; the bus policy
 * and trust conditions are checked in DeployMemberTemplateTest and DeployHubMembersTest.)
 */
class MemberStackMotoTest {
    private static final String HUB = "111111111111";
    private static final String MEMBER = "222222222222";
    private static final Region HUB_REGION = Region.US_EAST_1;
    private static final Region MEMBER_REGION = Region.US_WEST_2;
    private static final String HUB_BUS = "arn:aws:events:us-east-1:" + HUB + ":event-bus/default";
    private static final String HUB_TASK_ROLE = "arn:aws:iam::" + HUB + ":role/lifeguard-TaskRole-0A1B2C3D";
    private static final String STACK = "lifeguard-member";
    private static final ObjectMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    private static MotoServer moto;
    private static CloudFormationClient cloudFormation;
    private static IamClient iam;
    private static EventBridgeClient memberEvents;
    private static SqsClient hubSqs;
    private static String hubQueue;

    @BeforeAll
    static void createStacks() throws Exception {
        moto = MotoServer.start(Path.of("target/member-moto.log"));
        cloudFormation = client(CloudFormationClient.builder(), MEMBER, MEMBER_REGION);
        iam = client(IamClient.builder(), MEMBER, MEMBER_REGION);
        memberEvents = client(EventBridgeClient.builder(), MEMBER, MEMBER_REGION);

        // The hub's side, as its MemberAutoScalingEvents does (moto gives a forwarded event the
        // hub's account, so this rule names none).
        hubSqs = client(SqsClient.builder(), HUB, HUB_REGION);
        hubQueue = hubSqs.createQueue(r -> r.queueName("lifeguard")).queueUrl();
        String hubQueueArn = hubSqs.getQueueAttributes(r -> r.queueUrl(hubQueue).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        EventBridgeClient hubEvents = client(EventBridgeClient.builder(), HUB, HUB_REGION);
        hubEvents.putRule(r -> r.name("members").eventPattern("{\"source\": [\"aws.autoscaling\"]}"));
        hubEvents.putTargets(r -> r.rule("members").targets(t -> t.id("queue").arn(hubQueueArn)));

        List<Parameter> parameters = new ArrayList<>();
        Map.of("HubEventBusArn", HUB_BUS, "HubTaskRoleArn", HUB_TASK_ROLE, "ExternalId", "lifeguard-7f3e9a",
                "OrganizationId", "o-a1b2c3d4e5", "AutoScalingGroupNames", "web,batch", "SsmDocuments", "AWS-RunShellScript")
                .forEach((key, value) -> parameters.add(Parameter.builder().parameterKey(key).parameterValue(value).build()));
        String template = Files.readString(DeployTemplate.MEMBER, StandardCharsets.UTF_8);
        cloudFormation.createStack(r -> r.stackName(STACK).templateBody(template).parameters(parameters)
                .capabilities(Capability.CAPABILITY_NAMED_IAM));
        cloudFormation.waiter().waitUntilStackCreateComplete(r -> r.stackName(STACK));
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void everyResourceIsCreatedAndTheOutputsNameTheAccountRegionAndRole() {
        assertEquals(DeployTemplate.load(DeployTemplate.MEMBER).resources().keySet(), resources().keySet());
        assertEquals(MEMBER, output("Account"));
        assertEquals(MEMBER_REGION.id(), output("Region"));
        assertEquals("arn:aws:iam::" + MEMBER + ":role/lifeguard-hub", output("HubRoleArn"));
        assertEquals(iam.getRole(r -> r.roleName("lifeguard-hub")).role().arn(), output("HubRoleArn"));
    }

    @Test
    void bothRulesSendToTheHubsBusThroughTheForwardingRole() {
        Map<String, String> ids = resources();
        String forwardingRole = iam.getRole(r -> r.roleName(ids.get("ForwardingRole"))).role().arn();
        for (String rule : List.of("AutoScalingEvents", "SsmCommandStatuses")) {
            List<Target> targets = memberEvents.listTargetsByRule(r -> r.rule(ids.get(rule))).targets();
            assertEquals(List.of(HUB_BUS + " " + forwardingRole), targets.stream().map(t -> t.arn() + " " + t.roleArn()).toList(), rule);
        }
        assertEquals(output("ForwardingRuleArn"), memberEvents.describeRule(r -> r.name(ids.get("AutoScalingEvents"))).arn());
    }

    @Test
    void theRolesCarryTheirTrustAndPoliciesAsCreated() throws IOException {
        JsonNode hubTrust = document(iam.getRole(r -> r.roleName("lifeguard-hub")).role().assumeRolePolicyDocument());
        JsonNode statement = hubTrust.path("Statement").get(0);
        assertEquals(1, hubTrust.path("Statement").size());
        assertEquals(HUB_TASK_ROLE, statement.path("Principal").path("AWS").asText());
        assertEquals("lifeguard-7f3e9a", statement.path("Condition").path("StringEquals").path("sts:ExternalId").asText());
        assertEquals("o-a1b2c3d4e5", statement.path("Condition").path("StringEquals").path("aws:PrincipalOrgID").asText());

        JsonNode hubPolicy = document(iam.getRolePolicy(r -> r.roleName("lifeguard-hub").policyName("lifeguard-hub")).policyDocument());
        Map<String, JsonNode> bySid = new TreeMap<>();
        hubPolicy.path("Statement").forEach(s -> {
            if (!s.isNull()) {
                bySid.put(s.path("Sid").asText(), s);
            }
        });
        assertEquals(List.of("CompleteHooks", "DescribeWithoutResources", "SsmCommandResults", "SsmDocuments", "SsmInstances"),
                List.copyOf(bySid.keySet()));
        assertEquals("[\"arn:*:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/web\","
                + "\"arn:*:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/batch\"]",
                bySid.get("CompleteHooks").path("Resource").toString());
        assertEquals("arn:aws:ec2:*:" + MEMBER + ":instance/*", bySid.get("SsmInstances").path("Resource").asText());

        String forwardingRole = resources().get("ForwardingRole");
        JsonNode trust = document(iam.getRole(r -> r.roleName(forwardingRole)).role().assumeRolePolicyDocument());
        assertEquals("events.amazonaws.com", trust.path("Statement").get(0).path("Principal").path("Service").asText());
        assertEquals(MEMBER, trust.path("Statement").get(0).path("Condition").path("StringEquals").path("aws:SourceAccount").asText());
        JsonNode put = document(iam.getRolePolicy(r -> r.roleName(forwardingRole).policyName("put-on-hub-bus")).policyDocument());
        assertEquals(1, put.path("Statement").size());
        assertEquals("events:PutEvents", put.path("Statement").get(0).path("Action").asText());
        assertEquals(HUB_BUS, put.path("Statement").get(0).path("Resource").asText());
    }

    @Test
    void aListedGroupsEventReachesTheHubAnotherGroupsDoesNot() throws IOException {
        JsonNode sample = LENIENT.readTree(Path.of("samples/04-eventbridge-terminate-lifecycle-action.json").toFile());
        for (String group : List.of("another group", "batch")) {
            String detail = sample.path("detail").toString().replace("salt-minions", group);
            assertEquals(0, memberEvents.putEvents(r -> r.entries(e -> e.source("aws.autoscaling")
                    .detailType(sample.path("detail-type").asText()).detail(detail))).failedEntryCount());
        }
        List<Message> messages = new ArrayList<>();
        for (int poll = 0; poll < 5 && messages.isEmpty(); poll++) {
            messages.addAll(hubSqs.receiveMessage(r -> r.queueUrl(hubQueue).maxNumberOfMessages(10).waitTimeSeconds(2)).messages());
        }
        assertEquals(1, messages.size(), messages.toString());
        LifecycleEvent event = new EventParser().parse(messages.get(0).body(), messages.get(0).messageId());
        assertEquals(Kind.TERMINATING, event.kind());
        assertEquals("batch", event.groupName());
        hubSqs.deleteMessage(r -> r.queueUrl(hubQueue).receiptHandle(messages.get(0).receiptHandle()));
        assertEquals(List.of(), hubSqs.receiveMessage(r -> r.queueUrl(hubQueue).waitTimeSeconds(1)).messages(),
                "the other group's event must not reach the hub");
    }

    /** A policy document as IAM (URL-encoded) or moto (as it is, in Python's notation) returns it. */
    private static JsonNode document(String document) throws IOException {
        String text = document.startsWith("%") ? URLDecoder.decode(document, StandardCharsets.UTF_8) : document;
        assertTrue(!text.isBlank());
        return LENIENT.readTree(text.replaceAll("(?<=[\\[,]\\s{0,1})None(?=\\s*[,\\]])", "null"));
    }

    private static Map<String, String> resources() {
        Map<String, String> ids = new TreeMap<>();
        for (StackResource resource : cloudFormation.describeStackResources(r -> r.stackName(STACK)).stackResources()) {
            assertEquals("CREATE_COMPLETE", resource.resourceStatusAsString(), resource.logicalResourceId());
            ids.put(resource.logicalResourceId(), resource.physicalResourceId());
        }
        return ids;
    }

    private static String output(String key) {
        return cloudFormation.describeStacks(r -> r.stackName(STACK)).stacks().get(0).outputs().stream()
                .filter(o -> o.outputKey().equals(key)).findFirst().orElseThrow(() -> new AssertionError("no output " + key))
                .outputValue();
    }

    /** A client of moto as the given account, in the given region. */
    private static <B extends AwsClientBuilder<B, C>, C> C client(B builder, String account, Region region) {
        return builder.endpointOverride(URI.create(moto.endpoint()))
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .overrideConfiguration(c -> c.putHeader("x-moto-account-id", account))
                .build();
    }
}
