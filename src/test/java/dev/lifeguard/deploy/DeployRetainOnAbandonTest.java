package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RetainOnAbandon in deploy/lifeguard.yaml: off by default; on, a terminating hook Lifeguard gives
 * up on is abandoned (the task's LIFEGUARD_HOOK_TERMINATING_ON_FAILURE) and so is one that times
 * out (the hook's DefaultResult), and the stack says how to set the group's own policy, which it
 * cannot set on a group it does not own.
 */
class DeployRetainOnAbandonTest {
    private final DeployTemplate template = DeployTemplate.load();

    @Test
    void offByDefaultAHookGivenUpOnOrTimedOutContinues() {
        ResolvedTemplate stack = stack("false");
        assertEquals("CONTINUE", stack.properties("TerminatingHook").get("DefaultResult"));
        assertFalse(environment(stack).containsKey("LIFEGUARD_HOOK_TERMINATING_ON_FAILURE"));
        assertEquals(List.of(), template.ofType("AWS::AutoScaling::AutoScalingGroup"), "the stack owns no group");
    }

    @Test
    void onAHookGivenUpOnOrTimedOutIsAbandonedForTheGroupToRetain() {
        ResolvedTemplate stack = stack("true");
        assertEquals("ABANDON", stack.properties("TerminatingHook").get("DefaultResult"));
        assertEquals("ABANDON", environment(stack).get("LIFEGUARD_HOOK_TERMINATING_ON_FAILURE"));
        assertEquals("ABANDON", stack.properties("LaunchingHook").get("DefaultResult"), "launching hooks are unchanged");
        assertTrue(stack.holds("RetainsOnAbandon"));
        Map<String, Object> output = DeployTemplate.map(DeployTemplate.map(template.root.get("Outputs")).get("GroupLifecyclePolicyCommand"));
        assertEquals("RetainsOnAbandon", output.get("Condition"));
        assertEquals(Map.of("Fn::Sub", "aws autoscaling update-auto-scaling-group --auto-scaling-group-name '${AutoScalingGroupName}'"
                + " --instance-lifecycle-policy 'RetentionTriggers={TerminateHookAbandon=retain}'"), output.get("Value"));
    }

    private ResolvedTemplate stack(String retain) {
        Map<String, String> parameters = new HashMap<>();
        parameters.put("AutoScalingGroupName", "web");
        parameters.put("RetainOnAbandon", retain);
        return new ResolvedTemplate(template, parameters);
    }

    private static Map<String, Object> environment(ResolvedTemplate stack) {
        List<Object> containers = DeployTemplate.list(stack.properties("TaskDefinition").get("ContainerDefinitions"));
        Map<String, Object> environment = new HashMap<>();
        for (Object variable : DeployTemplate.list(DeployTemplate.map(containers.get(0)).get("Environment"))) {
            environment.put((String) DeployTemplate.map(variable).get("Name"), DeployTemplate.map(variable).get("Value"));
        }
        return environment;
    }
}
