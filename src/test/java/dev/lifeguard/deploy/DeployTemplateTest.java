package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lifeguard.event.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What deploy/lifeguard.yaml says, checked where moto_server cannot (DeployStackMotoTest creates
 * the stack): TTL, point-in-time recovery, the queue and topic policies, the confused-deputy
 * conditions on every service principal, the subscription's filter, the lifecycle hooks, the
 * SendCommand tag condition, the task definition's settings, and a run of the container's health
 * check command against a readiness endpoint.
 */
class DeployTemplateTest {
    private final DeployTemplate template = DeployTemplate.load();

    @Test
    void theTableHasTheKeyTtlAndIndexesTheCodeUses() {
        Map<String, Object> table = template.properties("Table");
        assertEquals("PAY_PER_REQUEST", table.get("BillingMode"));
        assertEquals(List.of(Map.of("AttributeName", "pk", "KeyType", "HASH")), table.get("KeySchema"));
        assertEquals(Map.of("AttributeName", "expiresAt", "Enabled", true), table.get("TimeToLiveSpecification"));
        assertEquals(List.of(
                Map.of("AttributeName", "pk", "AttributeType", "S"),
                Map.of("AttributeName", "instanceId", "AttributeType", "S"),
                Map.of("AttributeName", "groupName", "AttributeType", "S"),
                Map.of("AttributeName", "createdAt", "AttributeType", "S"),
                Map.of("AttributeName", "inFlight", "AttributeType", "S")), table.get("AttributeDefinitions"));
        assertEquals(List.of(index("by-instance", "instanceId"), index("by-group", "groupName"), index("in-flight", "inFlight")),
                table.get("GlobalSecondaryIndexes"));
    }

    @Test
    void theTableRecoversToAPointInTimeAndResistsDeletionUnlessTheParametersSayNo() {
        Map<String, Object> table = template.properties("Table");
        assertEquals(Map.of("PointInTimeRecoveryEnabled", Map.of("Fn::If", List.of("TableRecoversToAPointInTime", true, false))),
                table.get("PointInTimeRecoverySpecification"));
        assertEquals(Map.of("Fn::If", List.of("TableProtectedFromDeletion", true, false)), table.get("DeletionProtectionEnabled"));
        Map<String, Object> conditions = DeployTemplate.map(template.root.get("Conditions"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "TablePointInTimeRecovery"), "true")),
                conditions.get("TableRecoversToAPointInTime"));
        assertEquals(Map.of("Fn::Equals", List.of(Map.of("Ref", "TableDeletionProtection"), "true")),
                conditions.get("TableProtectedFromDeletion"));
        for (String name : List.of("TablePointInTimeRecovery", "TableDeletionProtection")) {
            assertEquals("true", parameter(name).get("Default"), name + " is on by default");
            assertEquals(List.of("true", "false"), parameter(name).get("AllowedValues"), name);
        }
    }

    private static Map<String, Object> index(String name, String hash) {
        return Map.of("IndexName", name,
                "KeySchema", List.of(Map.of("AttributeName", hash, "KeyType", "HASH"), Map.of("AttributeName", "createdAt", "KeyType", "RANGE")),
                "Projection", Map.of("ProjectionType", "ALL"));
    }

    @Test
    void theQueueRedrivesToTheDeadLetterQueueAfterLifeguardHasGivenUp() throws IOException {
        Map<String, Object> redrive = DeployTemplate.map(template.properties("Queue").get("RedrivePolicy"));
        assertEquals(Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "Arn")), redrive.get("deadLetterTargetArn"));
        assertEquals(Map.of("Ref", "MaxReceiveCount"), redrive.get("maxReceiveCount"));
        int maxReceiveCount = ((Number) parameter("MaxReceiveCount").get("Default")).intValue();
        int maxAttempts = Integer.parseInt(applicationProperty("lifeguard.max-attempts"));
        assertTrue(maxReceiveCount > maxAttempts, "SQS must not dead-letter before Lifeguard gives up (maxReceiveCount "
                + maxReceiveCount + ", lifeguard.max-attempts " + maxAttempts + ")");
        assertEquals("AWS::SQS::Queue", template.type("DeadLetterQueue"));
    }

    @Test
    void onlyThisStacksTopicAndRuleMaySendToTheQueue() {
        Map<String, Object> policy = template.properties("QueuePolicy");
        assertEquals(List.of(Map.of("Ref", "Queue")), policy.get("Queues"));
        List<Object> statements = DeployTemplate.list(DeployTemplate.map(policy.get("PolicyDocument")).get("Statement"));
        assertEquals(4, statements.size());
        assertStatementUnder(statements.get(0), "UseSns", "sns.amazonaws.com", Map.of("Ref", "Topic"));
        assertStatementUnder(statements.get(1), "UseEventBridge", "events.amazonaws.com",
                Map.of("Fn::GetAtt", List.of("AutoScalingEvents", "Arn")));
        assertStatementUnder(statements.get(2), "HasSsmDocuments", "events.amazonaws.com",
                Map.of("Fn::GetAtt", List.of("SsmCommandStatuses", "Arn")));
        assertStatementUnder(statements.get(3), "HasMembers", "events.amazonaws.com",
                Map.of("Fn::GetAtt", List.of("MemberAutoScalingEvents", "Arn")));
    }

    /**
     * SSM's status events reach the queue only for the documents Lifeguard may send, only when they
     * may be an end, and the service is told they come (LIFEGUARD_SSM_STATUS_EVENTS).
     */
    private static String text() {
        try {
            return java.nio.file.Files.readString(DeployTemplate.FILE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void ssmCommandEndsOfLifeguardsDocumentsReachTheQueueAndTheServiceExpectsThem() {
        assertEquals("HasSsmDocuments", template.resource("SsmCommandStatuses").get("Condition"));
        Map<String, Object> pattern = DeployTemplate.map(template.properties("SsmCommandStatuses").get("EventPattern"));
        assertEquals(List.of("aws.ssm"), pattern.get("source"));
        assertEquals(List.of("EC2 Command Invocation Status-change Notification"), pattern.get("detail-type"));
        Map<String, Object> detail = DeployTemplate.map(pattern.get("detail"));
        assertEquals(Map.of("Ref", "SsmDocuments"), detail.get("document-name"));
        assertEquals(List.of(Map.of("anything-but", List.of("Pending", "InProgress", "Delayed", "Cancelling"))), detail.get("status"));
        assertTrue(text().contains("{Name: LIFEGUARD_SSM_STATUS_EVENTS, Value: !If [HasSsmDocuments, \"true\", \"false\"]}"));
    }

    /**
     * Every statement that lets an AWS service act (a trust policy's AssumeRole, a resource
     * policy's grant) is held to this account with aws:SourceAccount, and to the resource acting
     * with aws:SourceArn: the confused-deputy conditions, wherever a service principal appears.
     */
    @Test
    void everyServicePrincipalActsOnlyForThisAccountAndItsOwnResource() {
        Map<String, Object> sourceArns = new HashMap<>();
        template.resources().forEach((id, resource) -> servicePrincipalStatements(resource, id, sourceArns));
        Map<String, Object> ecsOfThisAccount = Map.of("Fn::Sub",
                "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*");
        assertEquals(Map.of(
                "HookNotificationRole autoscaling.amazonaws.com", Map.of("ArnLike", Map.of("Fn::Sub",
                        "arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/${AutoScalingGroupName}")),
                "TaskRole ecs-tasks.amazonaws.com", Map.of("ArnLike", ecsOfThisAccount),
                "TaskExecutionRole ecs-tasks.amazonaws.com", Map.of("ArnLike", ecsOfThisAccount),
                "QueuePolicy sns.amazonaws.com", Map.of("ArnEquals", Map.of("Ref", "Topic")),
                "QueuePolicy events.amazonaws.com", Map.of("ArnEquals", Map.of("Fn::GetAtt", List.of("AutoScalingEvents", "Arn"))),
                "QueuePolicy events.amazonaws.com (SsmCommandStatuses)",
                Map.of("ArnEquals", Map.of("Fn::GetAtt", List.of("SsmCommandStatuses", "Arn"))),
                "QueuePolicy events.amazonaws.com (MemberAutoScalingEvents)",
                Map.of("ArnEquals", Map.of("Fn::GetAtt", List.of("MemberAutoScalingEvents", "Arn"))),
                "AlarmTopicPolicy cloudwatch.amazonaws.com", Map.of("ArnLike", Map.of("Fn::Sub",
                        "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-*"))),
                sourceArns);
        // The hook role's source is the group whose hooks it publishes, the group the hooks name.
        assertEquals(Map.of("Ref", "AutoScalingGroupName"), template.properties("LaunchingHook").get("AutoScalingGroupName"));
    }

    /** Collects, for each Allow statement naming a service principal, its aws:SourceArn condition; fails without aws:SourceAccount. */
    private static void servicePrincipalStatements(Object node, String resource, Map<String, Object> sourceArns) {
        if (node instanceof Map<?, ?> map) {
            Object principal = map.get("Principal");
            if (principal instanceof Map<?, ?> named && named.containsKey("Service")) {
                String service = (String) named.get("Service");
                assertEquals("Allow", map.get("Effect"), resource + " " + service);
                Map<String, Object> condition = DeployTemplate.map(map.get("Condition"));
                assertEquals(Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId")), condition.get("StringEquals"),
                        resource + ": " + service + " must act only for this account");
                Map<String, Object> byArn = new HashMap<>();
                condition.forEach((operator, keys) -> {
                    if (DeployTemplate.map(keys).containsKey("aws:SourceArn")) {
                        byArn.put(operator, DeployTemplate.map(keys).get("aws:SourceArn"));
                    }
                });
                assertEquals(1, byArn.size(), resource + ": " + service + " needs one aws:SourceArn condition: " + condition);
                String key = resource + " " + service;
                // A second grant to the same service in one policy is told apart by the resource it trusts.
                if (sourceArns.containsKey(key) && byArn.values().iterator().next() instanceof Map<?, ?> arn
                        && arn.get("Fn::GetAtt") instanceof List<?> att) {
                    key += " (" + att.get(0) + ")";
                }
                assertEquals(null, sourceArns.put(key, byArn), key);
                return;
            }
            map.values().forEach(value -> servicePrincipalStatements(value, resource, sourceArns));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> servicePrincipalStatements(item, resource, sourceArns));
        }
    }

    /**
     * Only Auto Scaling publishes to the topic: the hook role and Auto Scaling's service-linked
     * role (the group's notifications) are allowed, everyone else in the account is refused even
     * with an IAM grant of their own, the queue is the only endpoint that may be subscribed, and
     * nothing else is granted to anyone (the default topic policy gives every principal of the
     * account Publish, Subscribe, SetTopicAttributes and more).
     */
    @Test
    void onlyAutoScalingPublishesToTheTopicAndOnlyTheQueueIsSubscribed() {
        assertEquals(List.of("TopicPolicy", "AlarmTopicPolicy"), template.ofType("AWS::SNS::TopicPolicy"));
        assertEquals("UseSns", template.resource("TopicPolicy").get("Condition"));
        Map<String, Object> policy = template.properties("TopicPolicy");
        assertEquals(List.of(Map.of("Ref", "Topic")), policy.get("Topics"));
        List<Object> publishers = List.of(Map.of("Fn::GetAtt", List.of("HookNotificationRole", "Arn")), Map.of("Fn::Sub",
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*"));
        Map<String, Map<String, Object>> bySid = new HashMap<>();
        for (Object item : DeployTemplate.list(DeployTemplate.map(policy.get("PolicyDocument")).get("Statement"))) {
            Map<String, Object> statement = DeployTemplate.map(item);
            assertEquals(Map.of("Ref", "Topic"), statement.get("Resource"), statement.toString());
            bySid.put((String) statement.get("Sid"), statement);
        }
        assertEquals(Set.of("AutoScalingPublishes", "NobodyElsePublishes", "OnlyTheQueueSubscribes"), bySid.keySet());

        Map<String, Object> allow = bySid.get("AutoScalingPublishes");
        assertEquals("Allow", allow.get("Effect"));
        assertEquals("sns:Publish", allow.get("Action"));
        assertEquals(Map.of("AWS", Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::${AWS::AccountId}:root")), allow.get("Principal"));
        assertEquals(Map.of("ArnLike", Map.of("aws:PrincipalArn", publishers)), allow.get("Condition"));

        Map<String, Object> deny = bySid.get("NobodyElsePublishes");
        assertEquals("Deny", deny.get("Effect"));
        assertEquals("*", deny.get("Principal"));
        assertEquals("sns:Publish", deny.get("Action"));
        assertEquals(Map.of("ArnNotLike", Map.of("aws:PrincipalArn", publishers),
                "Bool", Map.of("aws:PrincipalIsAWSService", "false")), deny.get("Condition"));

        Map<String, Object> subscribe = bySid.get("OnlyTheQueueSubscribes");
        assertEquals("Deny", subscribe.get("Effect"));
        assertEquals("*", subscribe.get("Principal"));
        assertEquals("sns:Subscribe", subscribe.get("Action"));
        assertEquals(Map.of("StringNotEquals", Map.of("sns:Endpoint", Map.of("Fn::GetAtt", List.of("Queue", "Arn")))),
                subscribe.get("Condition"));

        // The hook role exists wherever the topic does, for this stack's hooks or the group's own.
        assertEquals("UseSns", template.resource("HookNotificationRole").get("Condition"));
        Map<String, Object> output = DeployTemplate.map(DeployTemplate.map(template.root.get("Outputs")).get("HookNotificationRoleArn"));
        assertEquals(Map.of("Fn::GetAtt", List.of("HookNotificationRole", "Arn")), output.get("Value"));
        assertEquals("UseSns", output.get("Condition"));
    }

    /**
     * The topic reaches the queue through one subscription that lets through only this group's
     * messages, as the rule does: the filter is the rule's detail pattern, applied to the
     * published body (hook messages, notifications and Auto Scaling's test notifications all
     * carry AutoScalingGroupName there). DeployStackMotoTest sends messages through it.
     */
    @Test
    void theTopicsSubscriptionTakesOnlyTheGroupsMessagesAsTheRuleDoes() {
        assertEquals(null, template.properties("Topic").get("Subscription"), "an inline subscription cannot be filtered");
        assertEquals(List.of("TopicSubscription"), template.ofType("AWS::SNS::Subscription"));
        assertEquals("UseSns", template.resource("TopicSubscription").get("Condition"));
        Map<String, Object> subscription = template.properties("TopicSubscription");
        assertEquals(Map.of("Ref", "Topic"), subscription.get("TopicArn"));
        assertEquals("sqs", subscription.get("Protocol"));
        assertEquals(Map.of("Fn::GetAtt", List.of("Queue", "Arn")), subscription.get("Endpoint"));
        assertEquals(false, subscription.get("RawMessageDelivery"));
        assertEquals("MessageBody", subscription.get("FilterPolicyScope"));
        Map<String, Object> rulePattern = DeployTemplate.map(template.properties("AutoScalingEvents").get("EventPattern"));
        assertEquals(rulePattern.get("detail"), subscription.get("FilterPolicy"));
        assertEquals(Map.of("AutoScalingGroupName", List.of(Map.of("Ref", "AutoScalingGroupName"))), subscription.get("FilterPolicy"));
    }

    /** SendCommand reaches only the group's instances, by the tag Auto Scaling puts on each; the documents stay as named. */
    @Test
    void sendCommandReachesOnlyTheGroupsInstances() {
        Map<String, Map<String, Object>> statements = taskRoleStatements();
        Map<String, Object> instances = statements.get("SsmInstances");
        assertEquals("ssm:SendCommand", instances.get("Action"));
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*"), instances.get("Resource"));
        assertEquals(Map.of("StringEquals", Map.of("ssm:resourceTag/aws:autoscaling:groupName", Map.of("Ref", "AutoScalingGroupName"))),
                instances.get("Condition"));
        Map<String, Object> documents = statements.get("SsmDocuments");
        assertEquals("ssm:SendCommand", documents.get("Action"));
        assertEquals(null, documents.get("Condition"));
    }

    private Map<String, Map<String, Object>> taskRoleStatements() {
        Map<String, Map<String, Object>> bySid = new HashMap<>();
        for (Object policy : DeployTemplate.list(template.properties("TaskRole").get("Policies"))) {
            Object statements = DeployTemplate.map(DeployTemplate.map(policy).get("PolicyDocument")).get("Statement");
            for (Object item : DeployTemplate.alternatives(statements)) {
                Map<String, Object> statement = DeployTemplate.map(item);
                bySid.put((String) statement.get("Sid"), statement);
            }
        }
        return bySid;
    }

    private static void assertStatementUnder(Object item, String condition, String service, Object sourceArn) {
        List<?> branches = (List<?>) DeployTemplate.map(item).get("Fn::If");
        assertEquals(condition, branches.get(0));
        assertEquals(Map.of("Ref", "AWS::NoValue"), branches.get(2));
        Map<String, Object> statement = DeployTemplate.map(branches.get(1));
        assertEquals("Allow", statement.get("Effect"));
        assertEquals(Map.of("Service", service), statement.get("Principal"));
        assertEquals("sqs:SendMessage", statement.get("Action"));
        assertEquals(Map.of("Fn::GetAtt", List.of("Queue", "Arn")), statement.get("Resource"));
        assertEquals(Map.of("ArnEquals", Map.of("aws:SourceArn", sourceArn),
                "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))), statement.get("Condition"));
    }

    @Test
    void theDeliveryParameterChoosesTopicRuleOrBoth() {
        assertEquals(List.of("sns", "eventbridge", "both"), parameter("EventDelivery").get("AllowedValues"));
        assertEquals("UseSns", template.resource("Topic").get("Condition"));
        assertEquals("UseEventBridge", template.resource("AutoScalingEvents").get("Condition"));

        Map<String, Object> rule = template.properties("AutoScalingEvents");
        Map<String, Object> pattern = DeployTemplate.map(rule.get("EventPattern"));
        assertEquals(List.of("aws.autoscaling"), pattern.get("source"));
        Set<Kind> kinds = new LinkedHashSet<>();
        for (Object detailType : DeployTemplate.list(pattern.get("detail-type"))) {
            kinds.add(Kind.ofDetailType((String) detailType).orElseThrow(() -> new AssertionError("Lifeguard does not read " + detailType)));
        }
        assertEquals(Set.of(Kind.LAUNCHING, Kind.TERMINATING, Kind.LAUNCHED, Kind.LAUNCH_ERROR, Kind.TERMINATED, Kind.TERMINATE_ERROR), kinds);
        assertEquals(Map.of("AutoScalingGroupName", List.of(Map.of("Ref", "AutoScalingGroupName"))), pattern.get("detail"));
        assertEquals(List.of(Map.of("Id", "lifeguard-queue", "Arn", Map.of("Fn::GetAtt", List.of("Queue", "Arn")))), rule.get("Targets"));
    }

    @Test
    void theHooksAreOptionalAndNotifyTheTopicOnlyWhenSnsDelivers() {
        // The long form of Condition inside Fn::And: moto reads "!Condition" as Fn::Condition.
        assertEquals(Map.of("Fn::And", List.of(Map.of("Condition", "CreateHooks"), Map.of("Condition", "UseSns"))),
                DeployTemplate.map(template.root.get("Conditions")).get("HooksNotifySns"));
        Map<String, String> transitions = Map.of("LaunchingHook", "autoscaling:EC2_INSTANCE_LAUNCHING",
                "TerminatingHook", "autoscaling:EC2_INSTANCE_TERMINATING");
        assertEquals(Set.copyOf(transitions.keySet()), Set.copyOf(template.ofType("AWS::AutoScaling::LifecycleHook")));
        transitions.forEach((hook, transition) -> {
            assertEquals("CreateHooks", template.resource(hook).get("Condition"));
            Map<String, Object> properties = template.properties(hook);
            assertEquals(transition, properties.get("LifecycleTransition"));
            assertEquals(Kind.ofTransition(transition).map(Kind::isHook), Optional.of(true));
            assertEquals(Map.of("Ref", "AutoScalingGroupName"), properties.get("AutoScalingGroupName"));
            assertEquals(Map.of("Fn::If", List.of("HooksNotifySns", Map.of("Ref", "Topic"), Map.of("Ref", "AWS::NoValue"))),
                    properties.get("NotificationTargetARN"));
            assertEquals(Map.of("Fn::If", List.of("HooksNotifySns", Map.of("Fn::GetAtt", List.of("HookNotificationRole", "Arn")),
                    Map.of("Ref", "AWS::NoValue"))), properties.get("RoleARN"));
        });
        // The default results match Lifeguard's own on-failure defaults (RetainOnAbandon: DeployRetainOnAbandonTest).
        assertEquals("ABANDON", template.properties("LaunchingHook").get("DefaultResult"));
        assertEquals(Map.of("Fn::If", List.of("RetainsOnAbandon", "ABANDON", "CONTINUE")),
                template.properties("TerminatingHook").get("DefaultResult"));

        Map<String, Object> role = template.properties("HookNotificationRole");
        assertTrue(role.get("AssumeRolePolicyDocument").toString().contains("autoscaling.amazonaws.com"));
        assertEquals(List.of(Map.of("Effect", "Allow", "Action", "sns:Publish", "Resource", Map.of("Ref", "Topic"))),
                DeployTemplate.map(DeployTemplate.map(DeployTemplate.list(role.get("Policies")).get(0)).get("PolicyDocument")).get("Statement"));
    }

    @Test
    void theTaskIsConfiguredAsTheServiceExpects() throws IOException {
        Map<String, Object> task = template.properties("TaskDefinition");
        assertEquals(Map.of("Fn::GetAtt", List.of("TaskRole", "Arn")), task.get("TaskRoleArn"));
        assertEquals(Map.of("Fn::GetAtt", List.of("TaskExecutionRole", "Arn")), task.get("ExecutionRoleArn"));
        Map<String, Object> container = container();
        assertEquals(Map.of("Ref", "ContainerImage"), container.get("Image"));

        Map<String, Object> environment = new HashMap<>();
        for (Object variable : DeployTemplate.list(container.get("Environment"))) {
            environment.put((String) DeployTemplate.map(variable).get("Name"), DeployTemplate.map(variable).get("Value"));
        }
        assertEquals(Map.of("Ref", "Queue"), environment.get("LIFEGUARD_QUEUE"));
        assertEquals(Map.of("Ref", "DeadLetterQueue"), environment.get("LIFEGUARD_DEAD_LETTER_QUEUE"));
        assertEquals(Map.of("Ref", "Table"), environment.get("LIFEGUARD_TABLE"));
        assertEquals(Map.of("Ref", "AWS::Region"), environment.get("AWS_REGION"));
        assertEquals(Map.of("Ref", "HealthPort"), environment.get("LIFEGUARD_HEALTH_PORT"));

        int stopTimeout = ((Number) container.get("StopTimeout")).intValue();
        int grace = Integer.parseInt(applicationProperty("lifeguard.shutdown.grace-seconds"));
        assertTrue(stopTimeout >= 30 && stopTimeout >= grace + 10,
                "stopTimeout " + stopTimeout + " s must leave room after the " + grace + " s shutdown grace");

        Map<String, Object> logs = DeployTemplate.map(container.get("LogConfiguration"));
        assertEquals("awslogs", logs.get("LogDriver"));
        assertEquals(Map.of("awslogs-group", Map.of("Ref", "LogGroup"), "awslogs-region", Map.of("Ref", "AWS::Region"),
                "awslogs-stream-prefix", "lifeguard"), logs.get("Options"));
        assertEquals(9876, ((Number) parameter("HealthPort").get("Default")).intValue());

        Map<String, Object> service = template.properties("Service");
        assertEquals(Map.of("Ref", "ClusterName"), service.get("Cluster"));
        assertEquals(Map.of("Ref", "TaskDefinition"), service.get("TaskDefinition"));
        assertEquals(Map.of("AwsvpcConfiguration", Map.of("Subnets", Map.of("Ref", "Subnets"),
                "SecurityGroups", Map.of("Ref", "SecurityGroups"), "AssignPublicIp", Map.of("Ref", "AssignPublicIp"))),
                service.get("NetworkConfiguration"));
    }

    @Test
    void theExecutionRoleWritesOnlyToTheStacksLogGroup() {
        Map<String, Object> role = template.properties("TaskExecutionRole");
        List<Object> statements = DeployTemplate.list(DeployTemplate.map(
                DeployTemplate.map(DeployTemplate.list(role.get("Policies")).get(0)).get("PolicyDocument")).get("Statement"));
        Map<String, Object> logs = statements.stream().map(DeployTemplate::map)
                .filter(s -> "WriteLogs".equals(s.get("Sid"))).findFirst().orElseThrow();
        assertEquals(List.of("logs:CreateLogStream", "logs:PutLogEvents"), logs.get("Action"));
        assertEquals(Map.of("Fn::GetAtt", List.of("LogGroup", "Arn")), logs.get("Resource"));
    }

    /**
     * The health check as ECS runs it (CMD: no shell in front, the command's own bash), against
     * a readiness endpoint that answers 200, then 503, then against a port nobody listens on.
     */
    @Test
    void theHealthCheckPassesOnlyWhenReadinessAnswers200() throws Exception {
        Map<String, Object> check = DeployTemplate.map(container().get("HealthCheck"));
        List<Object> command = DeployTemplate.list(check.get("Command"));
        assertEquals(List.of("CMD", "bash", "-c"), command.subList(0, 3));
        String script = (String) DeployTemplate.map(command.get(3)).get("Fn::Sub");
        assertTrue(script.contains("/observe/health/ready") && script.contains("127.0.0.1/${HealthPort}"), script);
        assertTrue(((Number) check.get("Timeout")).intValue() <= ((Number) check.get("Interval")).intValue());

        AtomicInteger status = new AtomicInteger(200);
        List<String> paths = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            int code = exchange.getRequestURI().getPath().equals("/observe/health/ready") ? status.get() : 404;
            byte[] body = (code == 200 ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String forServer = script.replace("${HealthPort}", Integer.toString(server.getAddress().getPort()));
            assertEquals(0, run(command.subList(1, 3), forServer), "ready: healthy");
            status.set(503);
            assertNotEquals(0, run(command.subList(1, 3), forServer), "not ready: unhealthy");
            assertEquals(List.of("/observe/health/ready", "/observe/health/ready"), paths);
        } finally {
            server.stop(0);
        }
        String nobody = script.replace("${HealthPort}", Integer.toString(dev.lifeguard.local.MotoServer.freePort()));
        assertNotEquals(0, run(command.subList(1, 3), nobody), "nothing listening: unhealthy");
    }

    private static int run(List<Object> interpreter, String script) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        interpreter.forEach(part -> command.add((String) part));
        command.add(script);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream output = process.getInputStream()) {
            output.readAllBytes();
        }
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the health check did not finish within 10 s");
        }
        return process.exitValue();
    }

    private Map<String, Object> container() {
        List<Object> containers = DeployTemplate.list(template.properties("TaskDefinition").get("ContainerDefinitions"));
        assertEquals(1, containers.size());
        return DeployTemplate.map(containers.get(0));
    }

    private Map<String, Object> parameter(String name) {
        return DeployTemplate.map(DeployTemplate.map(template.root.get("Parameters")).get(name));
    }

    private static String applicationProperty(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("config/application.properties"))) {
            properties.load(in);
        }
        return properties.getProperty(name);
    }
}
