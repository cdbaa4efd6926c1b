package dev.lifeguard.cli;

import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.Templates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One step of a plan: its settings with templates rendered for the event, then the step's own
 * dry run, which renders and checks every value it would hand its tool exactly as a real run
 * does, and says what it would run. Its AWS clients call nothing ({@link NoCalls}).
 *
 * <p>When the instance's addresses are not known (plan without {@code --describe}), the address
 * placeholders are shown unresolved, and a step that cannot be checked without them says so
 * rather than failing.
 */
final class StepPreview {
    private static final String[] ADDRESSES = {"privateIp", "publicIp", "privateDns", "publicDns", "name"};
    private static final Pattern PLACEHOLDER = Pattern.compile("(?<!\\$)\\{[A-Za-z]+}");

    /** The lines to print, and whether the step would fail. */
    record Result(List<String> lines, boolean fails) {
    }

    private StepPreview() {
    }

    /** Facts whose addresses are unknown: each shows as its placeholder, {@code {privateIp}}. */
    static InstanceFacts placeholders(String instanceId) {
        return new InstanceFacts(instanceId, null, "{privateIp}", "{publicIp}", "{privateDns}", "{publicDns}", "{name}");
    }

    /**
     * Facts for the step's check when addresses are unknown: values no check accepts and no
     * template holds, so a failure that quotes one was caused by the unknown address.
     */
    private static InstanceFacts marked(String instanceId) {
        return new InstanceFacts(instanceId, null, mark("privateIp"), mark("publicIp"), mark("privateDns"), mark("publicDns"),
                mark("name"));
    }

    private static String mark(String placeholder) {
        return "<" + placeholder + " from EC2>";
    }

    /**
     * @param facts the instance's facts as the service would have them, or null with
     *              {@code addressesKnown} false when plan did not read them
     */
    static Result of(int number, StepSpec spec, Step step, LifecycleEvent event, InstanceFacts facts, boolean addressesKnown) {
        List<String> lines = new ArrayList<>();
        lines.add(number + ". " + spec.name() + (spec.name().equals(spec.type()) ? "" : " (" + spec.type() + ")")
                + ", timeout " + spec.timeout().toSeconds() + " s");
        InstanceFacts shown = addressesKnown ? facts : placeholders(event.instanceId());
        spec.config().values().forEach((key, value) -> {
            if (!key.equals("timeout")) {
                settings(lines, key, value, event, shown);
            }
        });
        InstanceFacts checked = addressesKnown ? facts : marked(event.instanceId());
        try {
            StepOutcome outcome = step.run(new StepRequest(event, checked, spec.config(), true, Heartbeat.NONE));
            lines.add("→ " + unmark(HistoryText.printable(String.valueOf(outcome.detail()))));
            return new Result(lines, false);
        } catch (Exception e) {
            NoCalls.NotCalled call = NoCalls.refusal(e);
            if (call != null) {
                lines.add("→ checked; the rest needs " + call.getMessage() + ", which plan does not call");
                return new Result(lines, false);
            }
            String message = HistoryText.printable(String.valueOf(e.getMessage()));
            if (!addressesKnown && !unmark(message).equals(message)) {
                lines.add("→ needs the instance's addresses (EC2 DescribeInstances while it exists, kept in the table after):"
                        + " run plan --describe to render and check them");
                return new Result(lines, false);
            }
            lines.add("✗ would fail" + (e instanceof PermanentStepException ? " for good (no retry)" : "") + ": " + message);
            return new Result(lines, true);
        }
    }

    /** {@code key: value}, or {@code key: template → rendered} for a template; lists and maps one entry a line. */
    private static void settings(List<String> lines, String key, Object value, LifecycleEvent event, InstanceFacts facts) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                settings(lines, key + "[" + i + "]", list.get(i), event, facts);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> settings(lines, key + "." + k, v, event, facts));
        } else {
            String text = String.valueOf(value);
            lines.add("   " + key + ": " + HistoryText.printable(text) + rendered(text, event, facts));
        }
    }

    private static String rendered(String template, LifecycleEvent event, InstanceFacts facts) {
        if (!PLACEHOLDER.matcher(template).find()) {
            return "";
        }
        try {
            String rendered = Templates.render(template, event, facts);
            return rendered.equals(template) ? "" : "  →  " + HistoryText.printable(rendered);
        } catch (RuntimeException e) {
            return "  (cannot render: " + HistoryText.printable(String.valueOf(e.getMessage())) + ")";
        }
    }

    private static String unmark(String text) {
        String out = text;
        for (String address : ADDRESSES) {
            out = out.replace(mark(address), "{" + address + "}");
        }
        return out;
    }
}
