package dev.lifeguard.steps;

import dev.lifeguard.event.LifecycleEvent;
import java.util.Map;
import java.util.HashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Profile templates: {@code {group}}, {@code {instanceId}}, {@code {hook}}, {@code {nodeName}},
 * {@code {ipAddress}}, {@code {privateIp}}, {@code {publicIp}}, {@code {privateDns}},
 * {@code {publicDns}}, {@code {name}} (the Name tag). Every value comes from a validated event
 * or from EC2; a placeholder without a value is an error, never an empty string.
 */
public final class Templates {
    /** A '$' before the brace marks a shell expansion ({@code ${isEligible}}), which is left alone. */
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\{([A-Za-z]+)}");

    private Templates() {
    }

    public static String render(String template, LifecycleEvent event, InstanceFacts facts) {
        Map<String, String> values = new HashMap<>();
        values.put("group", event.groupName());
        values.put("instanceId", event.instanceId() != null ? event.instanceId() : facts == null ? null : facts.instanceId());
        values.put("hook", event.hookName());
        values.put("nodeName", event.nodeName());
        values.put("ipAddress", event.ipAddress());
        if (facts != null) {
            values.put("privateIp", facts.privateIp());
            values.put("publicIp", facts.publicIp());
            values.put("privateDns", facts.privateDns());
            values.put("publicDns", facts.publicDns());
            values.put("name", facts.nameTag());
        }
        Matcher matcher = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            if (!isKnown(name)) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "} in template '" + template + "'");
            }
            String value = values.get(name);
            if (value == null) {
                throw new MissingValueException("template '" + template + "' needs {" + name + "}, which this "
                        + event.kind().name().toLowerCase() + " event does not provide");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** Checks a template's placeholders when a profile is loaded, before any event needs it. */
    public static void check(String template) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            if (!isKnown(matcher.group(1))) {
                throw new IllegalArgumentException("unknown placeholder {" + matcher.group(1) + "} in '" + template + "'");
            }
        }
    }

    private static boolean isKnown(String name) {
        return switch (name) {
            case "group", "instanceId", "hook", "nodeName", "ipAddress", "privateIp", "publicIp", "privateDns", "publicDns", "name" -> true;
            default -> false;
        };
    }

    /** The event lacks a value a template needs (a cleanup request without an instance id, say). */
    public static class MissingValueException extends IllegalArgumentException {
        public MissingValueException(String message) {
            super(message);
        }
    }
}
