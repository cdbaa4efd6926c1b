package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The alarms of deploy/lifeguard.yaml, as CloudFormation builds them from a set of parameter
 * values ({@link ResolvedTemplate}): each watches the metric AWS publishes for this stack's queue
 * or service, with its threshold and missing-data rule; they notify the topics given, when they go
 * off and when they clear, and nobody when none is; the stack's own topic takes messages from
 * CloudWatch for this stack's alarms only. (moto_server's CloudFormation does not create alarms;
 * DeployStackMotoTest checks that it still skips them and creates the topic.)
 */
class DeployAlarmsTest {
    private static final String EMAIL = "oncall@example.com";
    private static final String PAGER = "arn:aws:sns:eu-west-1:123456789012:pager";
    private static final List<String> ALARMS = List.of("DeadLettersAlarm", "OldestMessageAlarm", "NoRunningTaskAlarm");

    private final DeployTemplate template = DeployTemplate.load();

    @Test
    void theTemplateHasTheseAlarmsAndNoOthers() {
        assertEquals(ALARMS, template.ofType("AWS::CloudWatch::Alarm"));
    }

    @Test
    void theDeadLetterAlarmGoesOffForAnyMessageInTheDeadLetterQueue() {
        Map<String, Object> alarm = stack(Map.of()).properties("DeadLettersAlarm");
        assertWatches(alarm, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                List.of(dimension("QueueName", Map.of("Fn::GetAtt", List.of("DeadLetterQueue", "QueueName")))));
        assertEquals("Maximum", alarm.get("Statistic"));
        assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
        assertEquals(0, alarm.get("Threshold"));
        assertEquals("notBreaching", alarm.get("TreatMissingData"), "an idle queue publishes nothing");
    }

    @Test
    void theOldestMessageAlarmGoesOffPastTheParametersAge() {
        Map<String, Object> alarm = stack(Map.of("OldestMessageAlarmSeconds", "900")).properties("OldestMessageAlarm");
        assertWatches(alarm, "AWS/SQS", "ApproximateAgeOfOldestMessage",
                List.of(dimension("QueueName", Map.of("Fn::GetAtt", List.of("Queue", "QueueName")))));
        assertEquals("Maximum", alarm.get("Statistic"));
        assertEquals("GreaterThanThreshold", alarm.get("ComparisonOperator"));
        assertEquals("900", alarm.get("Threshold"));
        assertEquals("notBreaching", alarm.get("TreatMissingData"));
        // SQS counts the messages Lifeguard holds while their steps run: by default, a held hook's
        // heartbeat timeout passing is not yet news.
        int byDefault = number(stack(Map.of()).properties("OldestMessageAlarm").get("Threshold"));
        assertTrue(byDefault > number(parameter("HookHeartbeatTimeout").get("Default")), "default " + byDefault);
    }

    /** ECS publishes the service's CPUUtilization only while a task runs: no datapoint is the signal. */
    @Test
    void theNoTaskAlarmTakesMissingServiceMetricsForNoRunningTask() {
        Map<String, Object> alarm = stack(Map.of()).properties("NoRunningTaskAlarm");
        assertWatches(alarm, "AWS/ECS", "CPUUtilization", List.of(dimension("ClusterName", "tools"),
                dimension("ServiceName", Map.of("Fn::GetAtt", List.of("Service", "Name")))));
        assertEquals("SampleCount", alarm.get("Statistic"));
        assertEquals("LessThanThreshold", alarm.get("ComparisonOperator"));
        assertEquals(1, alarm.get("Threshold"));
        assertEquals("breaching", alarm.get("TreatMissingData"));
        assertEquals(alarm.get("EvaluationPeriods"), alarm.get("DatapointsToAlarm"), "every period of the window without a task");

        assertTrue(stack(Map.of("DesiredCount", "2")).has("NoRunningTaskAlarm"));
        assertFalse(stack(Map.of("DesiredCount", "0")).has("NoRunningTaskAlarm"), "no task wanted, none running is no news");
        assertTrue(stack(Map.of("DesiredCount", "0")).has("DeadLettersAlarm"));
    }

    @Test
    void withoutATopicTheAlarmsNotifyNobodyAndNoTopicIsMade() {
        ResolvedTemplate stack = stack(Map.of());
        assertFalse(stack.has("AlarmTopic"));
        assertFalse(stack.has("AlarmTopicPolicy"));
        assertActions(stack, List.of());
    }

    @Test
    void anEmailAddressGetsATopicOfItsOwnThatTheAlarmsNotify() {
        ResolvedTemplate stack = stack(Map.of("AlarmEmail", EMAIL));
        assertEquals(List.of(Map.of("Protocol", "email", "Endpoint", EMAIL)), stack.properties("AlarmTopic").get("Subscription"));
        assertEquals(null, stack.properties("AlarmTopic").get("KmsMasterKeyId"), "CloudWatch cannot publish to SNS's AWS managed key");
        assertTrue(stack.has("AlarmTopicPolicy"));
        assertActions(stack, List.of(Map.of("Ref", "AlarmTopic")));
    }

    @Test
    void anExistingTopicIsNotifiedAloneOrBesideTheEmailTopic() {
        ResolvedTemplate existing = stack(Map.of("AlarmTopicArn", PAGER));
        assertFalse(existing.has("AlarmTopic"));
        assertActions(existing, List.of(PAGER));
        assertActions(stack(Map.of("AlarmTopicArn", PAGER, "AlarmEmail", EMAIL)), List.of(Map.of("Ref", "AlarmTopic"), PAGER));
    }

    /**
     * The stack's topic takes sns:Publish from CloudWatch only, for alarms of this account whose
     * names start with the stack's name, which every alarm of the stack's does; nothing else is
     * granted (a topic without a policy lets the whole account publish and subscribe).
     */
    @Test
    void theAlarmTopicTakesMessagesOnlyFromThisStacksAlarms() {
        ResolvedTemplate stack = stack(Map.of("AlarmEmail", EMAIL));
        Map<String, Object> policy = stack.properties("AlarmTopicPolicy");
        assertEquals(List.of(Map.of("Ref", "AlarmTopic")), policy.get("Topics"));
        List<Object> statements = DeployTemplate.list(DeployTemplate.map(policy.get("PolicyDocument")).get("Statement"));
        assertEquals(1, statements.size());
        Map<String, Object> statement = DeployTemplate.map(statements.get(0));
        assertEquals("Allow", statement.get("Effect"));
        assertEquals(Map.of("Service", "cloudwatch.amazonaws.com"), statement.get("Principal"));
        assertEquals("sns:Publish", statement.get("Action"));
        assertEquals(Map.of("Ref", "AlarmTopic"), statement.get("Resource"));
        String alarmArns = "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:${AWS::StackName}-*";
        assertEquals(Map.of("ArnLike", Map.of("aws:SourceArn", Map.of("Fn::Sub", alarmArns)),
                "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))), statement.get("Condition"));
        Set<String> names = new TreeSet<>();
        for (String alarm : ALARMS) {
            String name = (String) DeployTemplate.map(stack.properties(alarm).get("AlarmName")).get("Fn::Sub");
            String prefix = "${AWS::StackName}-";
            assertTrue(name.startsWith(prefix) && !name.substring(prefix.length()).contains("$"), alarm + " is named " + name);
            names.add(name);
        }
        assertEquals(ALARMS.size(), names.size(), "alarm names are unique: " + names);
    }

    /** The topic parameters take what CloudFormation would pass on, and refuse what SNS would fail on later. */
    @Test
    void theTopicParametersAcceptAnAddressAnArnOrNothing() {
        String email = (String) parameter("AlarmEmail").get("AllowedPattern");
        String arn = (String) parameter("AlarmTopicArn").get("AllowedPattern");
        for (String good : List.of("", EMAIL, "first.last+lifeguard@ops.example.co.uk")) {
            assertTrue(good.matches(email), good);
        }
        for (String bad : List.of("oncall", "on call@example.com", "@example.com")) {
            assertFalse(bad.matches(email), bad);
        }
        for (String good : List.of("", PAGER, "arn:aws-us-gov:sns:us-gov-west-1:123456789012:pager_2")) {
            assertTrue(good.matches(arn), good);
        }
        for (String bad : List.of("pager", "arn:aws:sqs:eu-west-1:123456789012:pager", "arn:aws:sns:eu-west-1:1234:pager")) {
            assertFalse(bad.matches(arn), bad);
        }
        assertEquals("", parameter("AlarmEmail").get("Default"));
        assertEquals("", parameter("AlarmTopicArn").get("Default"));
    }

    private ResolvedTemplate stack(Map<String, String> given) {
        Map<String, String> parameters = new HashMap<>(Map.of("ContainerImage", "lifeguard:test", "ClusterName", "tools",
                "AutoScalingGroupName", "web"));
        parameters.putAll(given);
        return new ResolvedTemplate(template, parameters);
    }

    private static void assertActions(ResolvedTemplate stack, List<Object> topics) {
        for (String alarm : ALARMS) {
            Map<String, Object> properties = stack.properties(alarm);
            assertEquals(topics, properties.get("AlarmActions"), alarm + " when it goes off");
            assertEquals(topics, properties.get("OKActions"), alarm + " when it clears");
            assertEquals(null, properties.get("InsufficientDataActions"), alarm);
        }
    }

    private static void assertWatches(Map<String, Object> alarm, String namespace, String metric, List<Map<String, Object>> dimensions) {
        assertEquals(namespace, alarm.get("Namespace"));
        assertEquals(metric, alarm.get("MetricName"));
        assertEquals(dimensions, alarm.get("Dimensions"));
        assertTrue(number(alarm.get("Period")) % 60 == 0, "AWS publishes these metrics once a minute");
        assertTrue(number(alarm.get("EvaluationPeriods")) >= 1);
    }

    private static Map<String, Object> dimension(String name, Object value) {
        return Map.of("Name", name, "Value", value);
    }

    private static int number(Object value) {
        return Integer.parseInt(String.valueOf(value));
    }

    private Map<String, Object> parameter(String name) {
        return DeployTemplate.map(DeployTemplate.map(template.root.get("Parameters")).get(name));
    }
}
