package dev.lifeguard.steps;

import dev.lifeguard.event.Identifiers;
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
 *
 * <p>Values are checked at intake only against AWS's own patterns, so a group name may hold
 * spaces, {@code $} or {@code *}. A step that hands a rendered template to a tool either checks
 * the whole result for that tool, or renders with {@link #renderChecked}, which checks each
 * substituted value and leaves the operator's literal text alone.
 */
public final class Templates {
    /** A '$' before the brace marks a shell expansion ({@code ${isEligible}}), which is left alone. */
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\{([A-Za-z]+)}");

    /**
     * Values a shell takes as one plain word wherever they are substituted, quoted or not: no
     * spaces, quotes, {@code $}, backquotes, globs, redirections, separators or line breaks. For
     * values rendered into scripts that SSM runs ({@code AWS-RunShellScript}). A value may not
     * start with {@code -}, which a command reads as an option ({@code rm -rf {group}}), nor hold
     * a {@code .} or {@code ..} path segment, which climbs out of or stays in the directory a
     * template puts it under ({@code /var/log/{group}}).
     */
    public static final Pattern SHELL_SAFE = Pattern.compile("(?!-)(?!(?:.*/)?\\.{1,2}(?:/|$))[A-Za-z0-9._:/@+=,-]+");
    /** The rule {@link #SHELL_SAFE} enforces, for error messages. */
    public static final String SHELL_SAFE_RULE = "a value put into a shell script may hold only letters, digits and"
            + " '.', '_', ':', '/', '@', '+', '=', ',', '-' (no spaces, quotes, '$', '*', ';' or line breaks), may not start"
            + " with '-', and may not have '.' or '..' as a path segment ('..', 'a/../b', './x', 'x/.')";

    private Templates() {
    }

    public static String render(String template, LifecycleEvent event, InstanceFacts facts) {
        return render(template, event, facts, (name, value) -> { });
    }

    /**
     * Renders like {@link #render}, but every value substituted for a placeholder must match
     * {@code allowed} in full. The template's literal text is the operator's and is not checked:
     * {@code echo $HOME-{instanceId}} keeps its {@code $}, while a {@code $} arriving in
     * {@code {group}} is refused.
     *
     * @param rule what {@code allowed} admits, in words, for the error message
     * @throws PermanentStepException naming the placeholder, the quoted value and the rule,
     *         when a substituted value does not match; no retry can change an event's values
     */
    public static String renderChecked(String template, LifecycleEvent event, InstanceFacts facts, Pattern allowed, String rule) {
        return renderChecked(template, "template " + Identifiers.quote(template), event, facts, allowed, rule);
    }

    /**
     * Renders like {@link #renderChecked(String, LifecycleEvent, InstanceFacts, Pattern, String)}, but
     * errors name the template as {@code where} ({@code parameter commands[0]}) instead of quoting it:
     * for templates that may hold secrets, such as an SSM command's parameters, whose errors are
     * logged and recorded.
     */
    public static String renderChecked(String template, String where, LifecycleEvent event, InstanceFacts facts,
                                       Pattern allowed, String rule) {
        return render(template, where, event, facts, Map.of(), null, (name, value) -> {
            if (!allowed.matcher(value).matches()) {
                throw new PermanentStepException("{" + name + "} " + Identifiers.quote(value) + " in " + where
                        + " is not allowed there: " + rule);
            }
        });
    }

    private static String render(String template, LifecycleEvent event, InstanceFacts facts, ValueCheck check) {
        return render(template, event, facts, Map.of(), null, check);
    }

    /**
     * Renders a notification's message: the event's placeholders and {@code extras} (a verdict's
     * {@code {result}}, {@code {summary}}, …); a placeholder without a value becomes
     * {@code missing} instead of failing, since a notification reports what happened whatever
     * the event lacked. {@code allowedExtras} are the extra names a template may use.
     */
    public static String renderWith(String template, LifecycleEvent event, InstanceFacts facts, Map<String, String> extras,
                                    String missing) {
        return render(template, event, facts, extras, missing, (name, value) -> { });
    }

    /** Checks a template that may also use {@code extras}, when a profile is loaded. */
    public static void check(String template, java.util.Set<String> extras) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        while (matcher.find()) {
            if (!isKnown(matcher.group(1)) && !extras.contains(matcher.group(1))) {
                throw new IllegalArgumentException("unknown placeholder {" + matcher.group(1) + "} in '" + template + "'");
            }
        }
    }

    private static String render(String template, LifecycleEvent event, InstanceFacts facts, Map<String, String> extras,
                                 String missing, ValueCheck check) {
        return render(template, "template '" + template + "'", event, facts, extras, missing, check);
    }

    /** @param where how errors name the template */
    private static String render(String template, String where, LifecycleEvent event, InstanceFacts facts,
                                 Map<String, String> extras, String missing, ValueCheck check) {
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
            if (!isKnown(name) && !extras.containsKey(name)) {
                throw new IllegalArgumentException("unknown placeholder {" + name + "} in " + where);
            }
            String value = extras.containsKey(name) ? extras.get(name) : values.get(name);
            if (value == null && missing != null) {
                value = missing;
            } else if (value == null) {
                throw new MissingValueException(where + " needs {" + name + "}, which this "
                        + event.kind().name().toLowerCase() + " event does not provide");
            }
            check.accept(name, value);
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

    @FunctionalInterface
    private interface ValueCheck {
        void accept(String placeholder, String value);
    }

    /** The event lacks a value a template needs (a cleanup request without an instance id, say). */
    public static class MissingValueException extends IllegalArgumentException {
        public MissingValueException(String message) {
            super(message);
        }
    }
}
