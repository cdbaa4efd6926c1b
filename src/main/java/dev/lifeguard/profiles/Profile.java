package dev.lifeguard.profiles;

import dev.lifeguard.event.AccountRegion;
import java.util.Set;
import dev.lifeguard.event.HookResult;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What Lifeguard does for the groups a profile matches: the steps per kind of event
 * ({@code launching}, {@code terminated}, …), the result a hook gets when its steps fail
 * for the last time, how many events of a kind may run at once for one group, and the
 * notifications sent per kind once an event's outcome is recorded.
 */
public record Profile(String match, Map<String, HookResult> onFailure, Map<String, Integer> maxInFlight,
                      Map<String, List<StepSpec>> steps, Map<String, List<NotifySpec>> notifications,
                      Set<String> accounts, Set<String> regions) {

    public Profile(String match, Map<String, HookResult> onFailure, Map<String, Integer> maxInFlight,
                   Map<String, List<StepSpec>> steps, Map<String, List<NotifySpec>> notifications) {
        this(match, onFailure, maxInFlight, steps, notifications, Set.of(), Set.of());
    }

    public Profile(String match, Map<String, HookResult> onFailure, Map<String, Integer> maxInFlight,
                   Map<String, List<StepSpec>> steps) {
        this(match, onFailure, maxInFlight, steps, Map.of());
    }

    /** The notifications sent when an event of this kind ends. */
    public List<NotifySpec> notifyFor(String kind) {
        return notifications.getOrDefault(kind, List.of());
    }

    /** How many events of this kind may run their steps at once for one group; 0 for no limit. */
    public int maxInFlight(String kind) {
        return maxInFlight.getOrDefault(kind, 0);
    }

    public List<StepSpec> stepsFor(String kind) {
        return steps.getOrDefault(kind, List.of());
    }

    /** CONTINUE or ABANDON for this transition, or null to use lifeguard.hook.*.on-failure. */
    public HookResult onFailure(String transition) {
        return onFailure.get(transition);
    }

    /**
     * Whether any step of this profile uses what EC2 knows of an instance: an address or Name tag
     * in a template, or a Route53 step (records by IP, a record's default value). When none does,
     * EC2 is not asked while the instance exists, only whether it lives before cleanup.
     */
    public boolean usesInstanceFacts() {
        return steps.values().stream().flatMap(List::stream).anyMatch(spec -> spec.type().startsWith("route53-")
                || ADDRESS_PLACEHOLDER.matcher(String.valueOf(spec.config().values())).find());
    }

    private static final Pattern ADDRESS_PLACEHOLDER = Pattern.compile("\\{(privateIp|publicIp|privateDns|publicDns|name)}");

    boolean isGlob() {
        return match.contains("*") || match.contains("?");
    }

    /** Whether this profile is for that group in that account and region (empty lists: any). */
    boolean matches(String group, AccountRegion where) {
        // Set.of refuses to look for null: an event that does not say is in no listed account or region.
        return (accounts.isEmpty() || where.account() != null && accounts.contains(where.account()))
                && (regions.isEmpty() || where.region() != null && regions.contains(where.region()))
                && matches(group);
    }

    private boolean matches(String group) {
        if (!isGlob()) {
            return match.equals(group);
        }
        return GLOBS.computeIfAbsent(match, Profile::globPattern).matcher(group).matches();
    }

    /** Compiled globs, by their text: as few as the profiles files have, asked for every event. */
    private static final Map<String, Pattern> GLOBS = new ConcurrentHashMap<>();

    private static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString());
    }
}
