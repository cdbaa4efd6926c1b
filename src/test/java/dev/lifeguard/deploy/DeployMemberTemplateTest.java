package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/member.yaml as CloudFormation builds it from sets of parameter values
 * ({@link ResolvedTemplate}): it forwards the hub's kinds of events for the listed groups to the
 * hub's bus, through a role that may put on that bus alone; the role the hub assumes trusts the
 * hub's task role only, with the external id (and the organisation when given), and grants what
 * the hub's task role grants for acting in an account, scoped to the listed groups, zones and
 * documents. DeployStackMotoTest creates it in moto_server.
 */
class DeployMemberTemplateTest {
    static final String HUB_BUS = "arn:aws:events:eu-west-1:111111111111:event-bus/default";
    static final String HUB_TASK_ROLE = "arn:aws:iam::111111111111:role/lifeguard-TaskRole-0A1B2C3D";
    private static final String EXTERNAL_ID = "lifeguard-7f3e9a";
    private static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static final List<String> GROUPS = List.of("web", "batch");

    /** The hub's task-role actions that act on the hub's own resources (queues, table, topics, secrets, member roles). */
    private static final Set<String> HUB_ONLY_PREFIXES = Set.of("sqs:", "dynamodb:", "sns:", "secretsmanager:", "sts:");
    private static final Set<String> HUB_ONLY_ACTIONS = Set.of("ssm:GetParameter");

    private final DeployTemplate template = DeployTemplate.load(DeployTemplate.MEMBER);
    private final DeployTemplate hub = DeployTemplate.load();

    /** A member stack with the required parameters and {@code more}. */
    static ResolvedTemplate member(Map<String, String> more) {
        Map<String, String> parameters = new HashMap<>(Map.of("HubEventBusArn", HUB_BUS, "HubTaskRoleArn", HUB_TASK_ROLE,
                "ExternalId", EXTERNAL_ID, "AutoScalingGroupNames", String.join(",", GROUPS)));
        parameters.putAll(more);
        return new ResolvedTemplate(DeployTemplate.load(DeployTemplate.MEMBER), parameters);
    }

    @Test
    void theRuleForwardsTheHubsKindsOfEventsForTheListedGroupsToTheHubsBus() {
        Map<String, Object> rule = member(Map.of()).properties("AutoScalingEvents");
        Map<String, Object> pattern = DeployTemplate.map(rule.get("EventPattern"));
        Map<String, Object> hubPattern = DeployTemplate.map(hub.properties("AutoScalingEvents").get("EventPattern"));
        assertEquals(hubPattern.get("source"), pattern.get("source"));
        assertEquals(hubPattern.get("detail-type"), pattern.get("detail-type"), "the same events as the hub's own rule");
        assertEquals(Map.of("AutoScalingGroupName", GROUPS), pattern.get("detail"));
        assertFalse(pattern.containsKey("account"), "this account's events, whatever account the pattern names");
        assertEquals(List.of(Map.of("Id", "lifeguard-hub", "Arn", HUB_BUS,
                "RoleArn", Map.of("Fn::GetAtt", List.of("ForwardingRole", "Arn")))), rule.get("Targets"));
    }

    /** SSM's status events go to the hub as its own rule takes them, only for the documents given. */
    @Test
    void ssmStatusesAreForwardedOnlyForTheDocumentsGiven() {
        assertFalse(member(Map.of()).has("SsmCommandStatuses"));
        ResolvedTemplate withDocuments = member(Map.of("SsmDocuments", "AWS-RunShellScript,Nomad-Drain"));
        Map<String, Object> rule = withDocuments.properties("SsmCommandStatuses");
        Map<String, Object> pattern = DeployTemplate.map(rule.get("EventPattern"));
        assertEquals(hub.properties("SsmCommandStatuses").get("EventPattern"), template.properties("SsmCommandStatuses").get("EventPattern"),
                "the same pattern as the hub's");
        assertEquals(List.of("AWS-RunShellScript", "Nomad-Drain"), DeployTemplate.map(pattern.get("detail")).get("document-name"));
        assertEquals(List.of(Map.of("Id", "lifeguard-hub", "Arn", HUB_BUS,
                "RoleArn", Map.of("Fn::GetAtt", List.of("ForwardingRole", "Arn")))), rule.get("Targets"));
    }

    @Test
    void theForwardingRoleMayOnlyPutEventsOnTheHubsBusForThisAccountsRules() {
        Map<String, Object> role = member(Map.of()).properties("ForwardingRole");
        Map<String, Object> trust = only(DeployTemplate.map(role.get("AssumeRolePolicyDocument")).get("Statement"));
        assertEquals(Map.of("Service", "events.amazonaws.com"), trust.get("Principal"));
        assertEquals("sts:AssumeRole", trust.get("Action"));
        assertEquals(Map.of("StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId")),
                "ArnLike", Map.of("aws:SourceArn", Map.of("Fn::Sub", "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*"))),
                trust.get("Condition"));
        Map<String, Object> policy = only(role.get("Policies"));
        assertEquals(Map.of("Sid", "HubBus", "Effect", "Allow", "Action", "events:PutEvents", "Resource", HUB_BUS),
                only(DeployTemplate.map(policy.get("PolicyDocument")).get("Statement")));
    }

    @Test
    void theHubRoleTrustsOnlyTheHubsTaskRoleWithTheExternalId() {
        assertEquals(true, DeployTemplate.map(DeployTemplate.map(template.root.get("Parameters")).get("ExternalId")).get("NoEcho"));
        Map<String, Object> trust = hubRoleTrust(member(Map.of()));
        assertEquals("Allow", trust.get("Effect"));
        assertEquals(Map.of("AWS", HUB_TASK_ROLE), trust.get("Principal"));
        assertEquals("sts:AssumeRole", trust.get("Action"));
        assertEquals(Map.of("StringEquals", Map.of("sts:ExternalId", EXTERNAL_ID)), trust.get("Condition"));

        Map<String, Object> inOrganization = hubRoleTrust(member(Map.of("OrganizationId", ORGANIZATION)));
        assertEquals(Map.of("AWS", HUB_TASK_ROLE), inOrganization.get("Principal"));
        assertEquals(Map.of("StringEquals", Map.of("sts:ExternalId", EXTERNAL_ID, "aws:PrincipalOrgID", ORGANIZATION)),
                inOrganization.get("Condition"));
    }

    /** The hub role's name is fixed, so that the hub's grant to assume it can name it without a parameter. */
    @Test
    void theHubRoleHasAFixedName() {
        assertEquals("lifeguard-hub", member(Map.of()).properties("HubRole").get("RoleName"));
    }

    /**
     * The hub role's actions are those of the hub's task role for acting in an account (all but
     * its own queues, table, topics, secrets and member roles), so a call the hub learns to make
     * is granted in the member accounts too; none is a wildcard, and only those IAM cannot scope
     * get "*".
     */
    @Test
    void theHubRoleGrantsWhatTheHubsTaskRoleGrantsForActingInAnAccount() {
        Map<String, List<Object>> member = grants(member(Map.of("HostedZoneIds", "Z0123456789ABC", "SsmDocuments", "AWS-RunShellScript",
                "EcsClusters", "web")).properties("HubRole"));
        Set<String> acting = new TreeSet<>();
        for (String action : DeployTemplateIamTest.grants(hub).keySet()) {
            if (HUB_ONLY_PREFIXES.stream().noneMatch(action::startsWith) && !HUB_ONLY_ACTIONS.contains(action)) {
                acting.add(action);
            }
        }
        assertEquals(acting, member.keySet());
        member.forEach((action, resources) -> {
            assertFalse(action.contains("*") || action.contains("?"), "wildcard action " + action);
            if (DeployTemplateIamTest.ONLY_WITH_STAR.contains(action)) {
                assertEquals(List.of("*"), resources, action);
            } else {
                assertFalse(resources.contains("*"), action + " supports resource-level permissions but is granted on \"*\"");
            }
        });
    }

    @Test
    void theHubRoleReachesOnlyTheListedGroupsZonesAndDocuments() {
        Map<String, Map<String, Object>> statements = statements(member(Map.of("HostedZoneIds", "Z0123456789ABC,Z0987654321XYZ",
                "SsmDocuments", "AWS-RunShellScript")).properties("HubRole"));
        assertEquals(GROUPS.stream().map(group -> "arn:*:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/" + group).toList(),
                statements.get("CompleteHooks").get("Resource"));
        assertEquals(List.of("arn:*:route53:::hostedzone/Z0123456789ABC", "arn:*:route53:::hostedzone/Z0987654321XYZ"),
                statements.get("HostedZones").get("Resource"));
        assertEquals(List.of("arn:*:ssm:*:*:document/AWS-RunShellScript"), statements.get("SsmDocuments").get("Resource"));
        Map<String, Object> instances = statements.get("SsmInstances");
        assertEquals(Map.of("Fn::Sub", "arn:${AWS::Partition}:ec2:*:${AWS::AccountId}:instance/*"), instances.get("Resource"));
        assertEquals(Map.of("StringEquals", Map.of("ssm:resourceTag/aws:autoscaling:groupName", GROUPS)), instances.get("Condition"));

        Map<String, Map<String, Object>> ecs = statements(member(Map.of("EcsClusters", "web,batch")).properties("HubRole"));
        assertEquals(List.of("arn:*:ecs:*:*:cluster/web", "arn:*:ecs:*:*:cluster/batch"), ecs.get("EcsClusters").get("Resource"));
        assertEquals(List.of("arn:*:ecs:*:*:task/web/*", "arn:*:ecs:*:*:task/batch/*"), ecs.get("EcsTasks").get("Resource"));

        // Without zones, documents or clusters, no Route53, SSM or ECS access at all.
        assertEquals(Set.of("CompleteHooks", "DescribeWithoutResources"), statements(member(Map.of()).properties("HubRole")).keySet());
    }

    /** The role is global to the account: one stack per account makes it, the others leave it out. */
    @Test
    void theHubRoleIsMadeOnlyWhereAsked() {
        ResolvedTemplate other = member(Map.of("CreateHubRole", "false"));
        assertFalse(other.has("HubRole"));
        assertTrue(other.has("AutoScalingEvents") && other.has("ForwardingRole"));
        Map<String, Object> outputs = DeployTemplate.map(template.root.get("Outputs"));
        assertEquals("CreatesHubRole", DeployTemplate.map(outputs.get("HubRoleArn")).get("Condition"));
        assertEquals(Map.of("Fn::GetAtt", List.of("HubRole", "Arn")), DeployTemplate.map(outputs.get("HubRoleArn")).get("Value"));
        assertEquals(Map.of("Ref", "AWS::AccountId"), DeployTemplate.map(outputs.get("Account")).get("Value"));
        assertEquals(Map.of("Ref", "AWS::Region"), DeployTemplate.map(outputs.get("Region")).get("Value"));
    }

    /** Hooks are the groups' own (CloudFormation cannot make one resource per listed group without a transform). */
    @Test
    void theTemplateMakesNoHooks() {
        assertEquals(List.of(), template.ofType("AWS::AutoScaling::LifecycleHook"));
        assertEquals(Set.of("AutoScalingEvents", "SsmCommandStatuses", "ForwardingRole", "HubRole"), template.resources().keySet());
    }

    private static Map<String, Object> hubRoleTrust(ResolvedTemplate stack) {
        return only(DeployTemplate.map(stack.properties("HubRole").get("AssumeRolePolicyDocument")).get("Statement"));
    }

    private static Map<String, Object> only(Object items) {
        List<Object> list = DeployTemplate.list(items);
        assertEquals(1, list.size(), list.toString());
        return DeployTemplate.map(list.get(0));
    }

    /** A resolved role's statements by Sid, all Allow. */
    private static Map<String, Map<String, Object>> statements(Map<String, Object> role) {
        Map<String, Map<String, Object>> bySid = new TreeMap<>();
        Map<String, Object> policy = only(role.get("Policies"));
        for (Object item : DeployTemplate.list(DeployTemplate.map(policy.get("PolicyDocument")).get("Statement"))) {
            Map<String, Object> statement = DeployTemplate.map(item);
            assertEquals("Allow", statement.get("Effect"), statement.toString());
            assertFalse(statement.containsKey("NotAction") || statement.containsKey("NotResource"), statement.toString());
            bySid.put((String) statement.get("Sid"), statement);
        }
        return bySid;
    }

    /** A resolved role's grants: action → resources. */
    private static Map<String, List<Object>> grants(Map<String, Object> role) {
        Map<String, List<Object>> grants = new TreeMap<>();
        statements(role).values().forEach(statement -> DeployTemplate.list(statement.get("Action")).forEach(action ->
                grants.computeIfAbsent((String) action, a -> new ArrayList<>())
                        .addAll(DeployTemplate.list(statement.get("Resource")))));
        return grants;
    }
}
