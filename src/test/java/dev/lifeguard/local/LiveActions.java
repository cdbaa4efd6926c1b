package dev.lifeguard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What Auto Scaling knows and the stand-ins answer from: which group each instance is in and in
 * which lifecycle state, and which lifecycle actions are live. A test "emits" a hook the way Auto
 * Scaling does, by starting its action here and putting its message on the queue
 * ({@link #sent(String)}); a forged message is one put on the queue without an action.
 *
 * <p>As Auto Scaling does: DescribeAutoScalingInstances answers only for instances in a group;
 * RecordLifecycleActionHeartbeat and CompleteLifecycleAction are accepted only for a live action
 * whose token, group, hook and instance all match, and are otherwise answered with
 * {@code ValidationError} "No active Lifecycle Action found with token …"; a completion ends
 * the action and moves the instance on ({@code Pending:Proceed}, {@code Terminating:Proceed}).
 */
public final class LiveActions {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One lifecycle action. */
    public record Action(String token, String group, String hook, String instanceId) {
    }

    /** One instance's place, as DescribeAutoScalingInstances gives it. */
    public record Place(String instanceId, String group, String state) {
    }

    private final Map<String, Action> live = new ConcurrentHashMap<>();
    private final Map<String, Place> places = new ConcurrentHashMap<>();
    /** Groups whose instance lifecycle policy says TerminateHookAbandon: retain. */
    private final java.util.Set<String> retaining = ConcurrentHashMap.newKeySet();
    /** Instances on their way to Terminating:Retained: one more look sees them Terminating:Proceed. */
    private final java.util.Set<String> retainingSoon = ConcurrentHashMap.newKeySet();
    /** Every TerminateInstanceInAutoScalingGroup accepted: instance id and ShouldDecrementDesiredCapacity. */
    private final java.util.List<Map.Entry<String, String>> terminations = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Starts the action a hook message describes (directly, in an SNS envelope or an EventBridge
     * event) and puts its instance in the wait state the transition requires. Bodies that are not
     * lifecycle hooks are ignored. Returns the body, for chaining into a send.
     */
    public String sent(String body) {
        JsonNode hook = hookIn(body);
        if (hook == null) {
            return body;
        }
        String transition = hook.path("LifecycleTransition").asText();
        String origin = hook.path("Origin").asText("");
        String destination = hook.path("Destination").asText("");
        boolean launching = transition.endsWith("LAUNCHING");
        String state = "WarmPool".equals(destination) ? "Warmed:Pending:Wait"
                : launching ? "Pending:Wait"
                : "WarmPool".equals(origin) ? "Warmed:Terminating:Wait" : "Terminating:Wait";
        begin(hook.path("AutoScalingGroupName").asText(), hook.path("LifecycleHookName").asText(),
                hook.path("EC2InstanceId").asText(), hook.path("LifecycleActionToken").asText(), state);
        return body;
    }

    /** Starts a lifecycle action: the instance waits in {@code state} until it is completed. */
    public void begin(String group, String hook, String instanceId, String token, String state) {
        live.put(token, new Action(token, group, hook, instanceId));
        places.put(instanceId, new Place(instanceId, group, state));
    }

    /** Puts an instance in a group in a state with no action, e.g. {@code InService}. */
    public void place(String instanceId, String group, String state) {
        places.put(instanceId, new Place(instanceId, group, state));
    }

    /**
     * The group's instance lifecycle policy retains an instance whose terminating hook is abandoned:
     * after the abandon it is {@code Terminating:Proceed} for one look, then {@code Terminating:Retained}.
     */
    public void retainOnAbandon(String group) {
        retaining.add(group);
    }

    /** TerminateInstanceInAutoScalingGroup calls accepted, in order: instance id and ShouldDecrementDesiredCapacity. */
    public java.util.List<Map.Entry<String, String>> terminations() {
        return java.util.List.copyOf(terminations);
    }

    /**
     * TerminateInstanceInAutoScalingGroup: an instance in a group starts terminating
     * ({@code Terminating}); one in none is refused as Auto Scaling refuses it.
     */
    public String terminate(Map<String, String> form) {
        String id = form.getOrDefault("InstanceId", "");
        Place place = places.get(id);
        if (place == null || place.state().equals("Terminating")) {
            return "The instance ID " + id + " is not part of an Auto Scaling group or is already terminating";
        }
        places.put(id, new Place(id, place.group(), "Terminating"));
        terminations.add(Map.entry(id, form.getOrDefault("ShouldDecrementDesiredCapacity", "")));
        return null;
    }

    /** Ends an action as a timeout would: Auto Scaling forgets the token. */
    public void expire(String token) {
        live.remove(token);
    }

    public boolean isLive(String token) {
        return live.containsKey(token);
    }

    public Place place(String instanceId) {
        return places.get(instanceId);
    }

    // ---- the query protocol: each returns null when accepted, else the ValidationError message ----

    /** RecordLifecycleActionHeartbeat. */
    public String heartbeat(Map<String, String> form) {
        return matching(form) == null ? notActive(form) : null;
    }

    /** CompleteLifecycleAction: ends the action. */
    public String complete(Map<String, String> form) {
        Action action = matching(form);
        if (action == null || !live.remove(action.token(), action)) {
            return notActive(form);
        }
        Place place = places.get(action.instanceId());
        if (place != null) {
            String next = place.state().replace(":Wait", ":Proceed");
            places.put(action.instanceId(), new Place(action.instanceId(), action.group(), next));
            if (next.equals("Terminating:Proceed") && "ABANDON".equals(form.get("LifecycleActionResult"))
                    && retaining.contains(action.group())) {
                retainingSoon.add(action.instanceId());
            }
        }
        return null;
    }

    /** DescribeAutoScalingInstances' {@code AutoScalingInstances} element for the ids asked about. */
    public String describeXml(List<String> instanceIds) {
        StringBuilder out = new StringBuilder("<AutoScalingInstances>");
        for (String id : instanceIds) {
            Place place = places.get(id);
            if (place == null) {
                continue;
            }
            if (retainingSoon.remove(id)) {
                places.put(id, new Place(id, place.group(), "Terminating:Retained"));
            }
            out.append("<member><InstanceId>").append(xml(id)).append("</InstanceId>")
                    .append("<AutoScalingGroupName>").append(xml(place.group())).append("</AutoScalingGroupName>")
                    .append("<AvailabilityZone>us-east-1a</AvailabilityZone>")
                    .append("<LifecycleState>").append(xml(place.state())).append("</LifecycleState>")
                    .append("<HealthStatus>HEALTHY</HealthStatus><ProtectedFromScaleIn>false</ProtectedFromScaleIn>")
                    .append("<InstanceType>m5.large</InstanceType></member>");
        }
        return out.append("</AutoScalingInstances>").toString();
    }

    /** A whole DescribeAutoScalingInstances response. */
    public String describeResponse(List<String> instanceIds) {
        return "<DescribeAutoScalingInstancesResponse xmlns=\"" + FleetStandIn.AUTO_SCALING_NS + "\">"
                + "<DescribeAutoScalingInstancesResult>" + describeXml(instanceIds) + "</DescribeAutoScalingInstancesResult>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                + "</DescribeAutoScalingInstancesResponse>";
    }

    private Action matching(Map<String, String> form) {
        Action action = live.get(form.getOrDefault("LifecycleActionToken", ""));
        if (action == null) {
            return null;
        }
        boolean matches = same(form.get("AutoScalingGroupName"), action.group())
                && same(form.get("LifecycleHookName"), action.hook())
                && same(form.get("InstanceId"), action.instanceId());
        return matches ? action : null;
    }

    /** A parameter left out matches anything, as in Auto Scaling's API. */
    private static boolean same(String given, String actual) {
        return given == null || given.equals(actual);
    }

    private static String notActive(Map<String, String> form) {
        return "No active Lifecycle Action found with token " + form.getOrDefault("LifecycleActionToken", "");
    }

    private static JsonNode hookIn(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("Message") && node.path("Type").asText().equals("Notification")) {
                node = JSON.readTree(node.get("Message").asText());
            }
            if (node != null && node.has("detail")) {
                node = node.get("detail");
            }
            return node != null && node.has("LifecycleActionToken") && node.has("EC2InstanceId") ? node : null;
        } catch (Exception e) {
            return null; // not JSON: not a hook
        }
    }

    static String xml(String value) {
        // Character references keep CR and TAB, which an XML parser would otherwise normalise.
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#9;");
    }
}
