package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * deploy/lifeguard.yaml taking member accounts ({@link ResolvedTemplate}): with MemberAccounts
 * and/or MemberOrganizationId its default bus takes their events, a rule sends them to the
 * queue, and the task role may assume the member role in each listed account; with neither,
 * none of that is made. (moto_server's CloudFormation does not make bus policies;
 * DeployStackMotoTest checks that it still skips them, and creates the rule and the grant.)
 */
class DeployHubMembersTest {
    private static final List<String> ACCOUNTS = List.of("210987654321", "345678901234");
    private static final String ORGANIZATION = "o-a1b2c3d4e5";
    private static final Map<String, Object> DEFAULT_BUS = Map.of("Fn::Sub",
            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default");
    private static final List<String> MEMBER_RESOURCES = List.of("MemberAccountsPutEvents", "MemberOrganizationPutEvents",
            "MemberAutoScalingEvents");

    private final DeployTemplate template = DeployTemplate.load();

    @Test
    void withoutMembersNothingIsMadeForThem() {
        ResolvedTemplate stack = stack(Map.of());
        for (String id : MEMBER_RESOURCES) {
            assertFalse(stack.has(id), id);
        }
        assertEquals(null, assumeMemberRoles(stack));
        assertFalse(stack.properties("QueuePolicy").toString().contains("MemberAutoScalingEvents"));
    }

    @Test
    void listedAccountsMayPutEventsOnTheDefaultBus() {
        ResolvedTemplate stack = stack(Map.of("MemberAccounts", String.join(",", ACCOUNTS)));
        assertFalse(stack.has("MemberOrganizationPutEvents"));
        Map<String, Object> policy = stack.properties("MemberAccountsPutEvents");
        assertEquals("AWS::Events::EventBusPolicy", template.type("MemberAccountsPutEvents"));
        assertEquals(null, policy.get("EventBusName"), "the default bus");
        assertEquals(Map.of("Effect", "Allow", "Principal", Map.of("AWS", ACCOUNTS), "Action", "events:PutEvents",
                "Resource", DEFAULT_BUS), policy.get("Statement"));

        Map<String, Object> pattern = DeployTemplate.map(stack.properties("MemberAutoScalingEvents").get("EventPattern"));
        assertEquals(ACCOUNTS, pattern.get("account"));
        assertMemberRule(stack);

        // Each listed account's lifeguard-hub role, and no other, may be assumed; the task is told
        // which accounts it serves and the external id.
        Map<String, Object> assume = assumeMemberRoles(stack);
        assertEquals(ACCOUNTS.stream().map(a -> "arn:*:iam::" + a + ":role/lifeguard-hub").toList(),
                DeployTemplate.list(assume.get("Resource")));
        String environment = stack.properties("TaskDefinition").toString();
        assertTrue(environment.contains("LIFEGUARD_ACCOUNTS, Value=" + String.join(",", ACCOUNTS)), environment);
        assertTrue(environment.contains("LIFEGUARD_ACCOUNTS_EXTERNAL_ID"), environment);
    }

    @Test
    void anOrganizationsAccountsMayPutEvents() {
        ResolvedTemplate stack = stack(Map.of("MemberOrganizationId", ORGANIZATION));
        assertFalse(stack.has("MemberAccountsPutEvents"));
        Map<String, Object> policy = stack.properties("MemberOrganizationPutEvents");
        assertEquals(Map.of("Effect", "Allow", "Principal", "*", "Action", "events:PutEvents", "Resource", DEFAULT_BUS,
                "Condition", Map.of("StringEquals", Map.of("aws:PrincipalOrgID", ORGANIZATION))), policy.get("Statement"));
        Map<String, Object> pattern = DeployTemplate.map(stack.properties("MemberAutoScalingEvents").get("EventPattern"));
        assertEquals(List.of(Map.of("anything-but", List.of(Map.of("Ref", "AWS::AccountId")))), pattern.get("account"),
                "any account but the hub's own, whose group AutoScalingEvents keeps");
        assertMemberRule(stack);
        // An organisation lets accounts send; only those listed are served, so none is assumed.
        assertEquals(null, assumeMemberRoles(stack));

        ResolvedTemplate both = stack(Map.of("MemberOrganizationId", ORGANIZATION, "MemberAccounts", ACCOUNTS.get(0)));
        assertTrue(both.has("MemberAccountsPutEvents") && both.has("MemberOrganizationPutEvents"));
        assertEquals(List.of("arn:*:iam::" + ACCOUNTS.get(0) + ":role/lifeguard-hub"),
                DeployTemplate.list(assumeMemberRoles(both).get("Resource")));
    }

    /** The hub's own rule names no account, so only its group decides; the members' rule takes any group of theirs. */
    @Test
    void theOwnRuleNamesNoAccount() {
        Map<String, Object> own = DeployTemplate.map(template.properties("AutoScalingEvents").get("EventPattern"));
        assertFalse(own.containsKey("account"), own.toString());
    }

    /** The members' rule takes the own rule's kinds of events, of any group, to the queue, which lets it send. */
    private void assertMemberRule(ResolvedTemplate stack) {
        Map<String, Object> rule = stack.properties("MemberAutoScalingEvents");
        Map<String, Object> pattern = DeployTemplate.map(rule.get("EventPattern"));
        Map<String, Object> own = DeployTemplate.map(stack.properties("AutoScalingEvents").get("EventPattern"));
        assertEquals(own.get("source"), pattern.get("source"));
        assertEquals(own.get("detail-type"), pattern.get("detail-type"));
        assertFalse(pattern.containsKey("detail"), "each member stack chooses its groups");
        assertEquals(List.of(Map.of("Id", "lifeguard-queue", "Arn", Map.of("Fn::GetAtt", List.of("Queue", "Arn")))), rule.get("Targets"));
        List<Object> statements = DeployTemplate.list(DeployTemplate.map(stack.properties("QueuePolicy").get("PolicyDocument"))
                .get("Statement"));
        assertTrue(statements.stream().map(DeployTemplate::map).anyMatch(s -> "MemberEventsDeliver".equals(s.get("Sid"))
                && Map.of("ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::GetAtt", List.of("MemberAutoScalingEvents", "Arn"))),
                        "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))).equals(s.get("Condition"))),
                statements.toString());
    }

    private ResolvedTemplate stack(Map<String, String> members) {
        // The own rule exists with EventBridge delivery; the members' rule does not depend on it.
        Map<String, String> parameters = new HashMap<>(members);
        parameters.put("EventDelivery", "eventbridge");
        parameters.put("AutoScalingGroupName", "web");
        return new ResolvedTemplate(template, parameters);
    }

    /** The task role's AssumeMemberRoles statement, or null when it has none. */
    static Map<String, Object> assumeMemberRoles(ResolvedTemplate stack) {
        List<Map<String, Object>> found = new ArrayList<>();
        for (Object policy : DeployTemplate.list(stack.properties("TaskRole").get("Policies"))) {
            for (Object item : DeployTemplate.list(DeployTemplate.map(DeployTemplate.map(policy).get("PolicyDocument")).get("Statement"))) {
                Map<String, Object> statement = DeployTemplate.map(item);
                if (DeployTemplate.list(statement.get("Action")).contains("sts:AssumeRole")) {
                    assertEquals("AssumeMemberRoles", statement.get("Sid"));
                    found.add(statement);
                }
            }
        }
        assertTrue(found.size() <= 1, found.toString());
        return found.isEmpty() ? null : found.get(0);
    }
}
