package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
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
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sns.model.Subscription;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates deploy/lifeguard.yaml in moto_server, twice (SNS and EventBridge both, with Route53
 * zones, SSM documents, an alarm e-mail address and the table's protections on by default;
 * EventBridge alone, with none of them and the protections off), and reads every resource back
 * over the wire: queues and redrive, table, indexes and deletion protection, topics and
 * subscriptions, rule and target, the
 * roles, their trust conditions and their policies with the stack's own ARNs; events published
 * through the topic and the rule reach the queue in a shape Lifeguard reads, and another group's
 * do not.
 *
 * <p>What moto cannot check, and where it is checked instead (DeployTemplateTest,
 * DeployAlarmsTest, and cfn-lint in the README): moto 5.2.1's CloudFormation skips
 * AWS::SQS::QueuePolicy, AWS::SNS::TopicPolicy, AWS::SNS::Subscription,
 * AWS::AutoScaling::LifecycleHook, AWS::CloudWatch::Alarm and AWS::Events::EventBusPolicy
 * (asserted below, so an upgrade that adds them is noticed; the subscription is made here with the
 * template's own properties, as CloudFormation would, so its filter runs in moto's SNS); it
 * ignores the table's TimeToLiveSpecification and PointInTimeRecoverySpecification (both read
 * back as DISABLED); it keeps only the family, container definitions, volumes and memory of a
 * task definition and only cluster, name, count and task definition of a service; and it does
 * not enforce queue or topic policies or IAM.
 */
class DeployStackMotoTest {
    /** Resource types moto's CloudFormation does not create. */
    private static final Set<String> MOTO_CANNOT = Set.of("AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription",
            "AWS::AutoScaling::LifecycleHook", "AWS::CloudWatch::Alarm", "AWS::Events::EventBusPolicy");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "lifeguard-cluster";
    private static final String BOTH = "lifeguard-both";
    private static final String EVENTBRIDGE = "lifeguard-eventbridge";
    private static final String GROUP = "web";
    private static final String EVENTBRIDGE_GROUP = "batch servers"; // any name Auto Scaling accepts
    private static final String SECRET_PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/lifeguard/salt-api";
    private static final String ALARM_EMAIL = "oncall@example.com";
    private static final List<String> MEMBER_ACCOUNTS = List.of("210987654321", "345678901234");
    private static final ObjectMapper LENIENT = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    private static MotoServer moto;
    private static CloudFormationClient cloudFormation;
    private static SqsClient sqs;
    private static SnsClient sns;
    private static DynamoDbClient dynamoDb;
    private static IamClient iam;
    private static EventBridgeClient events;

    @BeforeAll
    static void createStacks() throws Exception {
        moto = MotoServer.start(Path.of("target/deploy-moto.log"));
        cloudFormation = client(CloudFormationClient.builder());
        sqs = client(SqsClient.builder());
        sns = client(SnsClient.builder());
        dynamoDb = client(DynamoDbClient.builder());
        iam = client(IamClient.builder());
        events = client(EventBridgeClient.builder());

        // The template runs the service in an existing cluster.
        create("cluster", "Resources:\n  Cluster:\n    Type: AWS::ECS::Cluster\n    Properties: {ClusterName: " + CLUSTER + "}\n", Map.of());
        String template = Files.readString(DeployTemplate.FILE, StandardCharsets.UTF_8);
        Map<String, String> common = Map.of("ContainerImage", "registry.example.com/lifeguard:test", "ClusterName", CLUSTER,
                "Subnets", "subnet-0a1b2c3d", "SecurityGroups", "sg-0a1b2c3d");
        Map<String, String> both = new HashMap<>(common);
        both.putAll(Map.of("AutoScalingGroupName", GROUP, "EventDelivery", "both",
                "HostedZoneIds", "Z0123456789ABC,Z0987654321XYZ", "SsmDocuments", "AWS-RunShellScript,Nomad-Drain",
                "NotificationTopicArns", "arn:aws:sns:us-east-1:123456789012:lifeguard-news",
                "ChefKeyArns", "arn:aws:ssm:us-east-1:123456789012:parameter/lifeguard/chef-key",
                "SecretParameterArns", SECRET_PARAMETER, "EcsClusters", "web,batch"));
        both.put("AlarmEmail", ALARM_EMAIL);
        both.put("MemberAccounts", String.join(",", MEMBER_ACCOUNTS));
        create(BOTH, template, both);
        Map<String, String> eventBridge = new HashMap<>(common);
        eventBridge.putAll(Map.of("AutoScalingGroupName", EVENTBRIDGE_GROUP, "EventDelivery", "eventbridge",
                "HostedZoneIds", "", "SsmDocuments", "", "ChefKeyArns", "", "SecretParameterArns", "",
                "TablePointInTimeRecovery", "false", "TableDeletionProtection", "false"));
        create(EVENTBRIDGE, template, eventBridge);
        subscribeAsTheTemplateSays(BOTH, GROUP);
    }

    /**
     * CloudFormation's part for the AWS::SNS::Subscription moto skips: the template's properties,
     * with the stack's topic, queue and group filled in, made into a subscription.
     */
    private static void subscribeAsTheTemplateSays(String stack, String group) throws IOException {
        Map<String, Object> refs = Map.of("Topic", resources(stack).get("Topic"), "Queue.Arn", output(stack, "QueueArn"),
                "AutoScalingGroupName", group);
        Map<String, Object> properties = DeployTemplate.map(resolve(DeployTemplate.load().properties("TopicSubscription"), refs));
        assertEquals(Set.of("TopicArn", "Protocol", "Endpoint", "RawMessageDelivery", "FilterPolicyScope", "FilterPolicy"),
                properties.keySet(), "every property of the subscription is applied here");
        Map<String, String> attributes = Map.of("RawMessageDelivery", String.valueOf(properties.get("RawMessageDelivery")),
                "FilterPolicyScope", (String) properties.get("FilterPolicyScope"),
                "FilterPolicy", JSON.writeValueAsString(properties.get("FilterPolicy")));
        sns.subscribe(r -> r.topicArn((String) properties.get("TopicArn")).protocol((String) properties.get("Protocol"))
                .endpoint((String) properties.get("Endpoint")).attributes(attributes));
    }

    /** A template value with Ref and Fn::GetAtt replaced from {@code refs} (keys "Logical" or "Logical.Attribute"). */
    private static Object resolve(Object value, Map<String, Object> refs) {
        if (value instanceof Map<?, ?> map && map.size() == 1 && (map.containsKey("Ref") || map.containsKey("Fn::GetAtt"))) {
            String key = map.containsKey("Ref") ? (String) map.get("Ref")
                    : String.join(".", DeployTemplate.list(map.get("Fn::GetAtt")).stream().map(String::valueOf).toList());
            Object resolved = refs.get(key);
            assertTrue(resolved != null, "no value for " + key);
            return resolved;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new TreeMap<>();
            map.forEach((k, v) -> out.put((String) k, resolve(v, refs)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(item -> resolve(item, refs)).toList();
        }
        return value;
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void everyResourceMotoSupportsIsCreatedAndTheRestIsNamed() {
        DeployTemplate template = DeployTemplate.load();
        // Which conditions hold for each stack, from its parameters.
        Map<String, Boolean> bothConditions = new HashMap<>(Map.of("UseSns", true, "UseEventBridge", true, "CreateHooks", true,
                "HooksNotifySns", true, "HasHostedZones", true, "HasSsmDocuments", true, "HasNotificationTopics", true, "HasChefKeys", true,
                "HasSecretParameters", true, "HasEcsClusters", true));
        bothConditions.putAll(Map.of("TableRecoversToAPointInTime", true, "TableProtectedFromDeletion", true,
                "HasAlarmEmail", true, "HasAlarmTopicArn", false, "RunsTasks", true));
        bothConditions.putAll(Map.of("HasMemberAccounts", true, "HasMemberOrganization", false, "HasMembers", true,
                "RetainsOnAbandon", false));
        Map<String, Boolean> eventBridgeConditions = new HashMap<>(Map.of("UseSns", false, "UseEventBridge", true, "CreateHooks", true,
                "HooksNotifySns", false, "HasHostedZones", false, "HasSsmDocuments", false, "HasNotificationTopics", false, "HasChefKeys", false,
                "HasSecretParameters", false, "HasEcsClusters", false));
        eventBridgeConditions.putAll(Map.of("TableRecoversToAPointInTime", false, "TableProtectedFromDeletion", false,
                "HasAlarmEmail", false, "HasAlarmTopicArn", false, "RunsTasks", true));
        eventBridgeConditions.putAll(Map.of("HasMemberAccounts", false, "HasMemberOrganization", false, "HasMembers", false,
                "RetainsOnAbandon", false));
        assertEquals(DeployTemplate.map(template.root.get("Conditions")).keySet(), bothConditions.keySet());

        for (Map.Entry<String, Map<String, Boolean>> stack : Map.of(BOTH, bothConditions, EVENTBRIDGE, eventBridgeConditions).entrySet()) {
            Set<String> expected = new TreeSet<>();
            Set<String> skipped = new TreeSet<>();
            template.resources().forEach((id, resource) -> {
                Object condition = DeployTemplate.map(resource).get("Condition");
                if (condition == null || stack.getValue().get(condition)) {
                    (MOTO_CANNOT.contains(template.type(id)) ? skipped : expected).add(id);
                }
            });
            Set<String> created = resources(stack.getKey()).keySet();
            assertEquals(expected, created, stack.getKey());
            assertFalse(skipped.isEmpty());
            for (String id : skipped) {
                assertFalse(created.contains(id), "moto now creates " + id + ": check it here and drop its type from MOTO_CANNOT");
            }
        }
        assertEquals(Set.of("QueuePolicy", "TopicPolicy", "TopicSubscription", "LaunchingHook", "TerminatingHook",
                "AlarmTopicPolicy", "DeadLettersAlarm", "OldestMessageAlarm", "NoRunningTaskAlarm",
                "MemberAccountsPutEvents", "MemberOrganizationPutEvents"),
                template.resources().keySet().stream()
                .filter(id -> MOTO_CANNOT.contains(template.type(id))).collect(Collectors.toSet()));
    }

    @Test
    void theQueueRedrivesToTheDeadLetterQueue() throws IOException {
        Map<String, String> ids = resources(BOTH);
        Map<QueueAttributeName, String> queue = sqs.getQueueAttributes(r -> r.queueUrl(ids.get("Queue"))
                .attributeNames(QueueAttributeName.ALL)).attributes();
        Map<QueueAttributeName, String> deadLetters = sqs.getQueueAttributes(r -> r.queueUrl(ids.get("DeadLetterQueue"))
                .attributeNames(QueueAttributeName.ALL)).attributes();
        JsonNode redrive = LENIENT.readTree(queue.get(QueueAttributeName.REDRIVE_POLICY));
        assertEquals(deadLetters.get(QueueAttributeName.QUEUE_ARN), redrive.path("deadLetterTargetArn").asText());
        assertEquals(10, redrive.path("maxReceiveCount").asInt());
        assertEquals("60", queue.get(QueueAttributeName.VISIBILITY_TIMEOUT));
        assertEquals("true", queue.get(QueueAttributeName.SQS_MANAGED_SSE_ENABLED));
        assertEquals("1209600", deadLetters.get(QueueAttributeName.MESSAGE_RETENTION_PERIOD));
        assertEquals(null, deadLetters.get(QueueAttributeName.REDRIVE_POLICY));
        assertEquals(ids.get("Queue"), output(BOTH, "QueueUrl"));
        assertEquals(ids.get("DeadLetterQueue"), output(BOTH, "DeadLetterQueueUrl"));
    }

    /** The alarms' topic mails the address given, and exists only when one is. */
    @Test
    void anAlarmEmailGetsATopicThatMailsIt() {
        String topicArn = resources(BOTH).get("AlarmTopic");
        assertEquals(topicArn, output(BOTH, "AlarmEmailTopicArn"));
        List<Subscription> subscriptions = sns.listSubscriptionsByTopic(r -> r.topicArn(topicArn)).subscriptions();
        assertEquals(List.of("email " + ALARM_EMAIL), subscriptions.stream().map(s -> s.protocol() + " " + s.endpoint()).toList());
        assertFalse(resources(EVENTBRIDGE).containsKey("AlarmTopic"));
    }

    @Test
    void theTableHasItsKeyAndBothIndexes() {
        String name = resources(BOTH).get("Table");
        assertEquals(name, output(BOTH, "TableName"));
        TableDescription table = dynamoDb.describeTable(r -> r.tableName(name)).table();
        assertEquals("PAY_PER_REQUEST", table.billingModeSummary().billingModeAsString());
        assertEquals("pk", table.keySchema().get(0).attributeName());
        assertEquals("HASH", table.keySchema().get(0).keyTypeAsString());
        assertEquals(1, table.keySchema().size());
        Map<String, String> types = new TreeMap<>();
        table.attributeDefinitions().forEach(a -> types.put(a.attributeName(), a.attributeTypeAsString()));
        assertEquals(Map.of("pk", "S", "instanceId", "S", "groupName", "S", "createdAt", "S", "inFlight", "S"), types);
        Map<String, String> indexes = new TreeMap<>();
        for (GlobalSecondaryIndexDescription index : table.globalSecondaryIndexes()) {
            indexes.put(index.indexName(), index.keySchema().get(0).attributeName() + "/" + index.keySchema().get(0).keyTypeAsString()
                    + " " + index.keySchema().get(1).attributeName() + "/" + index.keySchema().get(1).keyTypeAsString()
                    + " " + index.projection().projectionTypeAsString());
        }
        assertEquals(Map.of("by-instance", "instanceId/HASH createdAt/RANGE ALL", "by-group", "groupName/HASH createdAt/RANGE ALL",
                "in-flight", "inFlight/HASH createdAt/RANGE ALL"), indexes);
        // TTL on expiresAt and point-in-time recovery: moto ignores both specifications; DeployTemplateTest checks them.
    }

    @Test
    void theTableIsProtectedFromDeletionUnlessTheParameterSaysNo() {
        assertEquals(true, dynamoDb.describeTable(r -> r.tableName(resources(BOTH).get("Table"))).table().deletionProtectionEnabled());
        assertEquals(false, dynamoDb.describeTable(r -> r.tableName(resources(EVENTBRIDGE).get("Table"))).table().deletionProtectionEnabled());
    }

    @Test
    void aHookPublishedToTheTopicReachesTheQueueAsLifeguardReadsIt() throws IOException {
        Map<String, String> ids = resources(BOTH);
        String topicArn = ids.get("Topic");
        assertEquals(topicArn, output(BOTH, "TopicArn"));
        String queueArn = output(BOTH, "QueueArn");
        List<Subscription> subscriptions = sns.listSubscriptionsByTopic(r -> r.topicArn(topicArn)).subscriptions();
        assertEquals(1, subscriptions.size());
        assertEquals("sqs", subscriptions.get(0).protocol());
        assertEquals(queueArn, subscriptions.get(0).endpoint());

        String hook = Files.readString(Path.of("samples/02-hook-launching.json"), StandardCharsets.UTF_8).replace("web-asg", GROUP);
        String messageId = sns.publish(r -> r.topicArn(topicArn).message(hook)).messageId();
        Message received = receiveOne(ids.get("Queue"));
        LifecycleEvent event = new EventParser().parse(received.body(), received.messageId());
        assertEquals(Kind.LAUNCHING, event.kind());
        assertEquals(GROUP, event.groupName());
        assertTrue(received.body().contains(messageId), "the SNS envelope carries the published message id");
    }

    /**
     * The subscription's filter, run by moto's SNS: another group's hook, and a body without a
     * group, stay out of the queue; Auto Scaling's test notification for the group gets through
     * (Lifeguard acknowledges it).
     */
    @Test
    void theTopicDeliversOnlyTheGroupsMessagesTestNotificationsIncluded() throws IOException {
        Map<String, String> ids = resources(BOTH);
        String topicArn = ids.get("Topic");
        Map<String, String> attributes = sns.getSubscriptionAttributes(r -> r.subscriptionArn(
                sns.listSubscriptionsByTopic(l -> l.topicArn(topicArn)).subscriptions().get(0).subscriptionArn())).attributes();
        assertEquals("MessageBody", attributes.get("FilterPolicyScope"));
        assertEquals(Map.of("AutoScalingGroupName", List.of(GROUP)), JSON.readValue(attributes.get("FilterPolicy"), Map.class));
        assertEquals("false", attributes.get("RawMessageDelivery"));

        String hook = Files.readString(Path.of("samples/02-hook-launching.json"), StandardCharsets.UTF_8);
        sns.publish(r -> r.topicArn(topicArn).message(hook.replace("web-asg", "another group")));
        sns.publish(r -> r.topicArn(topicArn).message("{\"Event\": \"lifeguard:CLEANUP\", \"NodeName\": \"web-7.example.com\"}"));
        String test = Files.readString(Path.of("samples/01-test-notification.json"), StandardCharsets.UTF_8).replace("web-asg", GROUP);
        sns.publish(r -> r.topicArn(topicArn).message(test));
        Message received = receiveOne(ids.get("Queue"));
        LifecycleEvent event = new EventParser().parse(received.body(), received.messageId());
        assertEquals(Kind.TEST_NOTIFICATION, event.kind());
        assertEquals(List.of(), sqs.receiveMessage(r -> r.queueUrl(ids.get("Queue")).waitTimeSeconds(1)).messages(),
                "only the group's messages reach the queue");
    }

    @Test
    void theRuleSendsOnlyItsGroupsEventsToTheQueue() throws IOException {
        Map<String, String> ids = resources(EVENTBRIDGE);
        String rule = ids.get("AutoScalingEvents");
        String queueArn = output(EVENTBRIDGE, "QueueArn");
        assertEquals(List.of(queueArn), events.listTargetsByRule(r -> r.rule(rule)).targets().stream().map(t -> t.arn()).toList());
        assertEquals(output(EVENTBRIDGE, "RuleArn"), events.describeRule(r -> r.name(rule)).arn());

        JsonNode sample = LENIENT.readTree(Path.of("samples/04-eventbridge-terminate-lifecycle-action.json").toFile());
        List<String> groups = List.of("another group", EVENTBRIDGE_GROUP);
        for (String group : groups) {
            String detail = sample.path("detail").toString().replace("salt-minions", group);
            assertEquals(0, events.putEvents(r -> r.entries(e -> e.source("aws.autoscaling")
                    .detailType(sample.path("detail-type").asText()).detail(detail))).failedEntryCount());
        }
        Message received = receiveOne(ids.get("Queue"));
        LifecycleEvent event = new EventParser().parse(received.body(), received.messageId());
        assertEquals(Kind.TERMINATING, event.kind());
        assertEquals(EVENTBRIDGE_GROUP, event.groupName());
        assertEquals(List.of(), sqs.receiveMessage(r -> r.queueUrl(ids.get("Queue")).waitTimeSeconds(1)).messages(),
                "the other group's event must not reach the queue");
    }

    @Test
    void theRolesCarryTheTemplatesPoliciesWithTheStacksOwnArns() throws IOException {
        Map<String, String> ids = resources(BOTH);
        String queueArn = output(BOTH, "QueueArn");
        String deadLetterArn = sqs.getQueueAttributes(r -> r.queueUrl(ids.get("DeadLetterQueue"))
                .attributeNames(QueueAttributeName.QUEUE_ARN)).attributes().get(QueueAttributeName.QUEUE_ARN);
        String tableArn = dynamoDb.describeTable(r -> r.tableName(ids.get("Table"))).table().tableArn();

        String taskRole = ids.get("TaskRole");
        assertEquals(output(BOTH, "TaskRoleArn"), iam.getRole(r -> r.roleName(taskRole)).role().arn());
        JsonNode trust = LENIENT.readTree(decoded(iam.getRole(r -> r.roleName(taskRole)).role().assumeRolePolicyDocument()));
        assertEquals("ecs-tasks.amazonaws.com", trust.path("Statement").get(0).path("Principal").path("Service").asText());
        assertSourceConditions(trust, "arn:aws:ecs:us-east-1:123456789012:*");
        JsonNode executionTrust = LENIENT.readTree(decoded(iam.getRole(r -> r.roleName(ids.get("TaskExecutionRole"))).role()
                .assumeRolePolicyDocument()));
        assertSourceConditions(executionTrust, "arn:aws:ecs:us-east-1:123456789012:*");
        Map<String, JsonNode> statements = statements(taskRole, "lifeguard");
        assertEquals(List.of(queueArn), resources(statements.get("IntakeQueue")));
        assertEquals(List.of(deadLetterArn), resources(statements.get("DeadLetters")));
        assertEquals(List.of(tableArn), resources(statements.get("Table")));
        assertEquals(List.of(tableArn + "/index/in-flight"), resources(statements.get("FleetView")));
        assertEquals(List.of("arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/" + GROUP),
                resources(statements.get("CompleteHooks")));
        assertEquals(List.of("*"), resources(statements.get("DescribeWithoutResources")));
        assertEquals(List.of("arn:*:route53:::hostedzone/Z0123456789ABC", "arn:*:route53:::hostedzone/Z0987654321XYZ"),
                resources(statements.get("HostedZones")));
        assertEquals(List.of("arn:*:ssm:*:*:document/AWS-RunShellScript", "arn:*:ssm:*:*:document/Nomad-Drain"),
                resources(statements.get("SsmDocuments")));
        assertEquals(List.of("arn:aws:ec2:us-east-1:123456789012:instance/*"), resources(statements.get("SsmInstances")));
        assertEquals(GROUP, statements.get("SsmInstances").path("Condition").path("StringEquals")
                .path("ssm:resourceTag/aws:autoscaling:groupName").asText());
        assertTrue(statements.get("DescribeWithoutResources").path("Action").toString().contains("autoscaling:DescribeAutoScalingInstances"));
        assertEquals(List.of("*"), resources(statements.get("SsmCommandResults")));
        assertEquals(List.of("arn:*:ecs:*:*:cluster/web", "arn:*:ecs:*:*:cluster/batch"), resources(statements.get("EcsClusters")));
        assertEquals(List.of("arn:*:ecs:*:*:container-instance/web/*", "arn:*:ecs:*:*:container-instance/batch/*"),
                resources(statements.get("EcsContainerInstances")));
        assertEquals(List.of("arn:*:ecs:*:*:task/web/*", "arn:*:ecs:*:*:task/batch/*"), resources(statements.get("EcsTasks")));
        for (String sid : List.of("EcsContainerInstances", "EcsTasks")) {
            assertEquals("[\"arn:*:ecs:*:*:cluster/web\",\"arn:*:ecs:*:*:cluster/batch\"]",
                    statements.get(sid).path("Condition").path("ArnLike").path("ecs:cluster").toString(), sid);
        }
        assertEquals(List.of(SECRET_PARAMETER), resources(statements.get("SecretParameters")));
        assertEquals(MEMBER_ACCOUNTS.stream().map(a -> "arn:*:iam::" + a + ":role/lifeguard-hub").toList(),
                resources(statements.get("AssumeMemberRoles")), "only the listed members' lifeguard-hub role");
        // The role as created grants what the template's policy grants, every branch included.
        Set<String> actions = new TreeSet<>();
        statements.values().forEach(s -> s.path("Action").forEach(a -> actions.add(a.asText())));
        statements.values().stream().filter(s -> s.path("Action").isTextual()).forEach(s -> actions.add(s.path("Action").asText()));
        assertEquals(DeployTemplateIamTest.grants(DeployTemplate.load()).keySet(), actions);

        // Without zones or documents, no Route53 or SSM access at all.
        Map<String, JsonNode> narrow = statements(resources(EVENTBRIDGE).get("TaskRole"), "lifeguard");
        assertEquals(Set.of("IntakeQueue", "DeadLetters", "Table", "FleetView", "CompleteHooks", "DescribeWithoutResources"),
                narrow.keySet());

        String hookRole = ids.get("HookNotificationRole");
        JsonNode hookTrust = LENIENT.readTree(decoded(iam.getRole(r -> r.roleName(hookRole)).role().assumeRolePolicyDocument()));
        assertEquals("autoscaling.amazonaws.com", hookTrust.path("Statement").get(0).path("Principal").path("Service").asText());
        assertSourceConditions(hookTrust, "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/" + GROUP);
        assertEquals(iam.getRole(r -> r.roleName(hookRole)).role().arn(), output(BOTH, "HookNotificationRoleArn"));
        JsonNode publish = LENIENT.readTree(decoded(iam.getRolePolicy(r -> r.roleName(hookRole).policyName("publish-to-topic")).policyDocument()));
        assertEquals("sns:Publish", publish.path("Statement").get(0).path("Action").asText());
        assertEquals(ids.get("Topic"), publish.path("Statement").get(0).path("Resource").asText());

        Map<String, JsonNode> execution = statements(ids.get("TaskExecutionRole"), "start-task");
        String logGroup = ids.get("LogGroup");
        assertEquals(logGroup, output(BOTH, "LogGroupName"));
        List<String> logResources = resources(execution.get("WriteLogs"));
        assertEquals(1, logResources.size());
        assertTrue(logResources.get(0).contains(":log-group:" + logGroup), logResources.toString());
    }

    /** A trust policy's one statement: this account only, and the source ARN as created for this stack. */
    private static void assertSourceConditions(JsonNode trust, String sourceArn) {
        JsonNode condition = trust.path("Statement").get(0).path("Condition");
        assertEquals("123456789012", condition.path("StringEquals").path("aws:SourceAccount").asText(), condition.toString());
        assertEquals(sourceArn, condition.path("ArnLike").path("aws:SourceArn").asText(), condition.toString());
    }

    @Test
    void theTaskDefinitionAndServiceAreRegistered() {
        Map<String, String> ids = resources(BOTH);
        assertTrue(ids.get("TaskDefinition").contains(":task-definition/" + BOTH + "-lifeguard:"), ids.get("TaskDefinition"));
        assertTrue(ids.get("Service").contains(":service/" + CLUSTER + "/"), ids.get("Service"));
    }

    private static Message receiveOne(String queueUrl) {
        List<Message> messages = new ArrayList<>();
        for (int poll = 0; poll < 5 && messages.isEmpty(); poll++) {
            messages.addAll(sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(2)).messages());
        }
        assertEquals(1, messages.size(), "one message expected: " + messages);
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(messages.get(0).receiptHandle()));
        return messages.get(0);
    }

    /**
     * Statements of a role's inline policy by Sid. moto returns the document in Python's notation
     * (single quotes, None), hence the lenient reader, and leaves an Fn::If branch of
     * AWS::NoValue in the list as None where CloudFormation drops it.
     */
    private static Map<String, JsonNode> statements(String role, String policy) throws IOException {
        String document = decoded(iam.getRolePolicy(r -> r.roleName(role).policyName(policy)).policyDocument())
                .replaceAll("(?<=[\\[,]\\s{0,1})None(?=\\s*[,\\]])", "null");
        Map<String, JsonNode> bySid = new TreeMap<>();
        for (JsonNode statement : LENIENT.readTree(document).path("Statement")) {
            if (statement.isNull()) {
                continue;
            }
            assertEquals("Allow", statement.path("Effect").asText());
            bySid.put(statement.path("Sid").asText(), statement);
        }
        return bySid;
    }

    /** IAM returns policy documents URL-encoded; moto returns some as they are. */
    private static String decoded(String document) {
        return document.startsWith("%") ? URLDecoder.decode(document, StandardCharsets.UTF_8) : document;
    }

    private static List<String> resources(JsonNode statement) {
        assertTrue(statement != null, "statement missing");
        List<String> out = new ArrayList<>();
        JsonNode resource = statement.path("Resource");
        if (resource.isArray()) {
            resource.forEach(r -> out.add(r.asText()));
        } else {
            out.add(resource.asText());
        }
        return out;
    }

    /** Logical id → physical id of the resources moto created for a stack. */
    private static Map<String, String> resources(String stack) {
        Map<String, String> ids = new TreeMap<>();
        for (StackResource resource : cloudFormation.describeStackResources(r -> r.stackName(stack)).stackResources()) {
            if (resource.logicalResourceId() != null) {
                assertEquals("CREATE_COMPLETE", resource.resourceStatusAsString(), resource.logicalResourceId());
                ids.put(resource.logicalResourceId(), resource.physicalResourceId());
            }
        }
        return ids;
    }

    private static String output(String stack, String key) {
        return cloudFormation.describeStacks(r -> r.stackName(stack)).stacks().get(0).outputs().stream()
                .filter(o -> o.outputKey().equals(key)).findFirst().orElseThrow(() -> new AssertionError("no output " + key))
                .outputValue();
    }

    private static void create(String name, String template, Map<String, String> parameters) {
        List<Parameter> values = new ArrayList<>();
        parameters.forEach((key, value) -> values.add(Parameter.builder().parameterKey(key).parameterValue(value).build()));
        cloudFormation.createStack(r -> r.stackName(name).templateBody(template).parameters(values)
                .capabilities(Capability.CAPABILITY_IAM));
        cloudFormation.waiter().waitUntilStackCreateComplete(r -> r.stackName(name));
        Set<String> seen = new HashSet<>();
        cloudFormation.describeStacks(r -> r.stackName(name)).stacks().forEach(s -> seen.add(s.stackStatusAsString()));
        assertEquals(Set.of("CREATE_COMPLETE"), seen, name);
    }

    private static <B extends AwsClientBuilder<B, C>, C> C client(B builder) {
        return builder.endpointOverride(URI.create(moto.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .build();
    }
}
