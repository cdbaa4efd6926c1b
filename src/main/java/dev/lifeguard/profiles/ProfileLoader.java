package dev.lifeguard.profiles;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.Templates;
import dev.lifeguard.steps.exec.ToolPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import dev.lifeguard.event.Kind;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads and checks a profiles file. Every mistake is reported with where it is
 * ({@code groups[2] 'nomad-*' steps.terminating[0]: unknown step type 'ssm'}), so an operator
 * can fix an edit that was rejected.
 */
public class ProfileLoader {
    /** The keys under {@code steps}, from {@link Kind}: every kind of event that is dispatched to steps. */
    public static final List<String> KINDS = java.util.Arrays.stream(Kind.values())
            .filter(Kind::isDispatched).map(Kind::profileKey).toList();
    /** Keys that describe the step itself; every other key, timeout included, is the step's to read. */
    private static final Set<String> STEP_KEYS = Set.of("type", "name");
    private static final Pattern STEP_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofMinutes(5);

    private final ObjectMapper json = new ObjectMapper();
    /** Each step type with the settings it accepts. */
    private final Map<String, Set<String>> stepTypes;
    /** Each step type's check of its settings' values ({@link dev.lifeguard.steps.Step#check}). */
    private final Map<String, java.util.function.Consumer<StepConfig>> checks;
    /** Each step type's kinds of event, as profile keys, when it does not take every kind ({@link dev.lifeguard.steps.Step#kinds}). */
    private final Map<String, Set<String>> kinds;

    public ProfileLoader(Map<String, Set<String>> stepTypes) {
        this(stepTypes, Map.of());
    }

    public ProfileLoader(Map<String, Set<String>> stepTypes, Map<String, java.util.function.Consumer<StepConfig>> checks) {
        this(stepTypes, checks, Map.of());
    }

    private ProfileLoader(Map<String, Set<String>> stepTypes, Map<String, java.util.function.Consumer<StepConfig>> checks,
                          Map<String, Set<String>> kinds) {
        this.stepTypes = Map.copyOf(stepTypes);
        this.checks = Map.copyOf(checks);
        this.kinds = Map.copyOf(kinds);
    }

    /** A loader for these steps: their settings' names and values are checked. */
    public static ProfileLoader of(Map<String, dev.lifeguard.steps.Step> steps) {
        Map<String, Set<String>> types = new java.util.HashMap<>();
        Map<String, java.util.function.Consumer<StepConfig>> checks = new java.util.HashMap<>();
        Map<String, Set<String>> kinds = new java.util.HashMap<>();
        steps.values().forEach(step -> {
            types.put(step.type(), step.settings());
            checks.put(step.type(), step::check);
            Set<String> keys = step.kinds().stream().filter(Kind::isDispatched).map(Kind::profileKey)
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
            if (!keys.containsAll(KINDS)) {
                kinds.put(step.type(), keys);
            }
        });
        return new ProfileLoader(types, checks, kinds);
    }

    public Profiles load(Path file) {
        JsonNode root;
        try (java.io.Reader reader = java.nio.file.Files.newBufferedReader(file)) {
            // SnakeYAML resolves anchors and aliases (one step list shared by several kinds),
            // which Jackson's YAML tree reader does not; its safe constructor builds only plain
            // maps, lists and scalars.
            Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            root = json.valueToTree(document);
        } catch (IOException | RuntimeException e) {
            throw new InvalidProfilesException(file + " cannot be read as YAML: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidProfilesException(file + " must be a YAML map with 'default' and/or 'groups'");
        }
        unknownKeys(root, Set.of("default", "groups"), file.toString());
        Profile fallback = root.has("default")
                ? profile(root.get("default"), "*", "default")
                : new Profile("*", Map.of(), Map.of(), Map.of());
        List<Profile> groups = new ArrayList<>();
        JsonNode list = root.path("groups");
        if (!list.isMissingNode() && !list.isArray()) {
            throw new InvalidProfilesException("groups must be a list");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String match = node.path("match").asText("");
            // Any name Auto Scaling accepts can be matched exactly ("web servers", "prod$green").
            if (!Identifiers.isGroupName(match)) {
                throw new InvalidProfilesException("groups[" + i + "] match " + Identifiers.quote(match) + ": match must be a group"
                        + " name or a glob ('*', '?') of 1 to 255 characters, without control characters other than tab, CR and LF");
            }
            String where = "groups[" + i + "] " + shown(match);
            Profile profile = profile(node, match, where);
            if (!seen.add(match + "\n" + new java.util.TreeSet<>(profile.accounts()) + "\n" + new java.util.TreeSet<>(profile.regions()))) {
                throw new InvalidProfilesException(where + ": another profile already matches " + shown(match)
                        + (profile.accounts().isEmpty() && profile.regions().isEmpty() ? "" : " in the same accounts and regions"));
            }
            groups.add(profile);
        }
        return new Profiles(List.copyOf(groups), fallback);
    }

    private Profile profile(JsonNode node, String match, String where) {
        unknownKeys(node, Set.of("match", "accounts", "regions", "on-failure", "max-in-flight", "steps", "notify"), where);
        Set<String> accounts = list(node, "accounts", where, Identifiers::isAccountId, "an AWS account id (12 digits)");
        Set<String> regions = list(node, "regions", where, Identifiers::isRegion, "an AWS region code (such as us-east-1)");
        Map<String, Integer> maxInFlight = new LinkedHashMap<>();
        node.path("max-in-flight").properties().forEach(entry -> {
            if (!KINDS.contains(entry.getKey())) {
                throw new InvalidProfilesException(where + " max-in-flight: '" + entry.getKey() + "' is not one of " + KINDS);
            }
            if (!entry.getValue().canConvertToInt() || entry.getValue().asInt() < 1) {
                throw new InvalidProfilesException(where + " max-in-flight." + entry.getKey()
                        + ": must be a whole number of at least 1, not '" + entry.getValue().asText() + "'");
            }
            maxInFlight.put(entry.getKey(), entry.getValue().asInt());
        });
        Map<String, HookResult> onFailure = new LinkedHashMap<>();
        JsonNode failure = node.path("on-failure");
        failure.properties().forEach(entry -> {
            if (!entry.getKey().equals("launching") && !entry.getKey().equals("terminating")) {
                throw new InvalidProfilesException(where + " on-failure: '" + entry.getKey() + "' is not launching or terminating");
            }
            HookResult result = HookResult.choice(entry.getValue().asText("")).orElseThrow(() -> new InvalidProfilesException(
                    where + " on-failure." + entry.getKey() + ": must be " + HookResult.describeChoices() + ", not '"
                            + entry.getValue().asText() + "'"));
            onFailure.put(entry.getKey(), result);
        });
        Map<String, List<StepSpec>> steps = new LinkedHashMap<>();
        JsonNode stepsNode = node.path("steps");
        stepsNode.properties().forEach(entry -> {
            String kind = entry.getKey();
            if (!KINDS.contains(kind)) {
                throw new InvalidProfilesException(where + " steps: '" + kind + "' is not one of " + KINDS);
            }
            if (!entry.getValue().isArray()) {
                throw new InvalidProfilesException(where + " steps." + kind + " must be a list of steps");
            }
            List<StepSpec> specs = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < entry.getValue().size(); i++) {
                StepSpec spec = step(entry.getValue().get(i), kind, where + " steps." + kind + "[" + i + "]");
                if (!names.add(spec.name())) {
                    throw new InvalidProfilesException(where + " steps." + kind + ": two steps are named '" + spec.name()
                            + "'; give one a 'name'");
                }
                specs.add(spec);
            }
            steps.put(kind, List.copyOf(specs));
        });
        Map<String, List<NotifySpec>> notify = new LinkedHashMap<>();
        node.path("notify").properties().forEach(entry -> {
            String kind = entry.getKey();
            if (!KINDS.contains(kind)) {
                throw new InvalidProfilesException(where + " notify: '" + kind + "' is not one of " + KINDS);
            }
            if (!entry.getValue().isArray()) {
                throw new InvalidProfilesException(where + " notify." + kind + " must be a list of notifications");
            }
            List<NotifySpec> specs = new ArrayList<>();
            for (int i = 0; i < entry.getValue().size(); i++) {
                specs.add(notification(entry.getValue().get(i), where + " notify." + kind + "[" + i + "]"));
            }
            notify.put(kind, List.copyOf(specs));
        });
        return new Profile(match, Map.copyOf(onFailure), Map.copyOf(maxInFlight), Map.copyOf(steps), Map.copyOf(notify),
                accounts, regions);
    }

    /** A profile's {@code accounts} or {@code regions}: a list of values each checked by {@code valid}. */
    private static Set<String> list(JsonNode node, String key, String where, java.util.function.Predicate<String> valid,
                                    String expected) {
        JsonNode list = node.path(key);
        if (list.isMissingNode()) {
            return Set.of();
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new InvalidProfilesException(where + " " + key + ": must be a list of at least one value");
        }
        Set<String> values = new java.util.LinkedHashSet<>();
        for (JsonNode value : list) {
            String text = value.isTextual() || value.isNumber() ? value.asText() : "";
            if (!valid.test(text)) {
                throw new InvalidProfilesException(where + " " + key + ": " + Identifiers.quote(value.asText()) + " is not " + expected);
            }
            values.add(text);
        }
        return Set.copyOf(values);
    }

    /** One notification: {@code sns: <topic ARN>} or {@code webhook: <https URL>}, and its settings. */
    private NotifySpec notification(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new InvalidProfilesException(where + ": a notification is a map with 'sns' or 'webhook'");
        }
        unknownKeys(node, NotifySpec.SETTINGS, where);
        if (node.has("sns") == node.has("webhook")) {
            throw new InvalidProfilesException(where + ": give exactly one of 'sns' (a topic ARN) or 'webhook' (an https URL)");
        }
        NotifySpec.Target target = node.has("sns") ? NotifySpec.Target.SNS : NotifySpec.Target.WEBHOOK;
        String destination = node.path(target.key()).asText("");
        String problem = target == NotifySpec.Target.SNS ? NotifySpec.topicProblem(destination)
                : NotifySpec.webhookProblem(destination);
        if (problem != null) {
            throw new InvalidProfilesException(where + ": " + problem);
        }
        String message = node.has("message") ? node.get("message").asText() : NotifySpec.DEFAULT_MESSAGE;
        if (message.isBlank()) {
            throw new InvalidProfilesException(where + ": message is empty");
        }
        try {
            Templates.check(message, NotifySpec.PLACEHOLDERS);
        } catch (IllegalArgumentException e) {
            throw new InvalidProfilesException(where + ": " + e.getMessage());
        }
        java.util.regex.Matcher facts = Pattern.compile("(?<!\\$)\\{(" + String.join("|", NotifySpec.UNAVAILABLE) + ")}").matcher(message);
        if (facts.find()) {
            throw new InvalidProfilesException(where + ": {" + facts.group(1) + "} is not available to notifications,"
                    + " which are sent from the recorded outcome, without asking EC2");
        }
        int limit = target == NotifySpec.Target.SNS ? NotifySpec.SNS_MAX_BYTES : NotifySpec.WEBHOOK_MAX_LENGTH;
        int perMinute = whole(node, "per-minute", NotifySpec.DEFAULT_PER_MINUTE, NotifySpec.MAX_PER_MINUTE, where);
        int maxLength = whole(node, "max-length", NotifySpec.DEFAULT_MAX_LENGTH, limit, where);
        if (maxLength < 20) {
            throw new InvalidProfilesException(where + " max-length: must be at least 20");
        }
        Set<Outcome> results = java.util.EnumSet.noneOf(Outcome.class);
        if (node.has("results")) {
            JsonNode list = node.get("results");
            if (!list.isArray() || list.isEmpty()) {
                throw new InvalidProfilesException(where + " results: must be a list of " + NotifySpec.RESULTS);
            }
            list.forEach(item -> {
                String word = item.asText("").toUpperCase();
                Outcome result = NotifySpec.RESULTS.stream().filter(r -> r.name().equals(word)).findFirst().orElseThrow(
                        () -> new InvalidProfilesException(where + " results: '" + item.asText() + "' is not one of " + NotifySpec.RESULTS));
                results.add(result);
            });
        } else {
            results.addAll(NotifySpec.DEFAULT_RESULTS);
        }
        return new NotifySpec(target, destination, message, perMinute, maxLength, Set.copyOf(results));
    }

    private static int whole(JsonNode node, String key, int fallback, int max, String where) {
        if (!node.has(key)) {
            return fallback;
        }
        JsonNode value = node.get(key);
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 1 || value.asInt() > max) {
            throw new InvalidProfilesException(where + " " + key + ": must be a whole number from 1 to " + max + ", not '"
                    + value.asText() + "'");
        }
        return value.asInt();
    }

    private StepSpec step(JsonNode node, String kind, String where) {
        if (!node.isObject()) {
            throw new InvalidProfilesException(where + ": a step is a map with at least 'type'");
        }
        String type = node.path("type").asText("");
        if (!stepTypes.containsKey(type)) {
            throw new InvalidProfilesException(where + ": unknown step type '" + type + "'; known: " + new java.util.TreeSet<>(stepTypes.keySet()));
        }
        if (kinds.containsKey(type) && !kinds.get(type).contains(kind)) {
            throw new InvalidProfilesException(where + ": " + type + " runs only for " + kinds.get(type) + ", not for " + kind);
        }
        String name = node.path("name").asText(type);
        if (!STEP_NAME.matcher(name).matches()) {
            throw new InvalidProfilesException(where + ": name '" + name + "' must be lower-case letters, digits and '-'");
        }
        Duration timeout = DEFAULT_STEP_TIMEOUT;
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (STEP_KEYS.contains(entry.getKey())) {
                continue;
            }
            if (!entry.getKey().equals("timeout") && !stepTypes.get(type).contains(entry.getKey())) {
                throw new InvalidProfilesException(where + ": " + type + " has no setting '" + entry.getKey() + "'; it takes "
                        + new java.util.TreeSet<>(stepTypes.get(type)) + " and timeout");
            }
            values.put(entry.getKey(), plain(entry.getValue(), where + "." + entry.getKey()));
        }
        try {
            timeout = new StepConfig(name, values).duration("timeout", timeout);
            values.values().forEach(this::checkTemplates);
            // Paths to programs and their configuration are the operator's: any absolute path is
            // one argument, whatever it holds; none may start with '-'.
            for (String setting : ToolPaths.SETTINGS) {
                if (values.containsKey(setting)) {
                    ToolPaths.require(name, setting, String.valueOf(values.get(setting)));
                }
            }
            if (checks.containsKey(type)) {
                checks.get(type).accept(new StepConfig(name, values));
            }
        } catch (IllegalArgumentException | dev.lifeguard.steps.PermanentStepException e) {
            throw new InvalidProfilesException(where + ": " + e.getMessage());
        }
        // Steps that bound their own waits (an SSM command, a salt run) read the same limit.
        values.put("timeout", timeout.toSeconds());
        return new StepSpec(name, type, timeout, new StepConfig(name, Map.copyOf(values)));
    }

    /** Scalars, lists and maps of plain values; anything nested deeper is a mistake. */
    private Object plain(JsonNode value, String where) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.numberValue();
        }
        if (value.isArray()) {
            List<Object> list = new ArrayList<>();
            value.forEach(item -> {
                if (item.isContainerNode()) {
                    throw new InvalidProfilesException(where + ": lists hold plain values");
                }
                list.add(plain(item, where));
            });
            return List.copyOf(list);
        }
        if (value.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            value.properties().forEach(e -> map.put(e.getKey(), plain(e.getValue(), where + "." + e.getKey())));
            return Map.copyOf(map);
        }
        throw new InvalidProfilesException(where + ": unsupported value " + value);
    }

    private void checkTemplates(Object value) {
        if (value instanceof String text) {
            Templates.check(text);
        } else if (value instanceof List<?> list) {
            list.forEach(this::checkTemplates);
        } else if (value instanceof Map<?, ?> map) {
            map.values().forEach(this::checkTemplates);
        }
    }

    /**
     * A group name or glob as errors show it: in single quotes, or, when {@link Identifiers#forLog}
     * has to escape something in it (AWS allows tab, CR and LF in a group name), as that shows it,
     * so that it cannot break the log line that reports the error.
     */
    private static String shown(String match) {
        String forLog = Identifiers.forLog(match);
        return forLog.equals(match) || forLog.equals("\"" + match + "\"") ? "'" + match + "'" : forLog;
    }

    private static void unknownKeys(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                throw new InvalidProfilesException(where + ": unknown key '" + key + "'; expected one of " + known);
            }
        });
    }

    /** A profiles file Lifeguard will not use; the message says where the mistake is. */
    public static class InvalidProfilesException extends RuntimeException {
        public InvalidProfilesException(String message) {
            super(message);
        }
    }
}
