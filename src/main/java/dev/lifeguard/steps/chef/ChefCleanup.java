package dev.lifeguard.steps.chef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.ToolValues;
import dev.lifeguard.steps.exec.BoundedOutput;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.exec.ToolPaths;
import dev.lifeguard.event.Identifiers;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Deletes an instance's Chef node and client (seeds 000 and 002). The node name comes from a
 * template ({@code node-name}), from a cleanup request's NodeName, or from a search on the EC2
 * instance id, which is what Ohai records for every node. A node or client that is already gone
 * counts as deleted.
 *
 * <p>Every value knife gets is checked here, for knife: a node name must be a host or node name
 * (so neither an option nor a search pattern), and the search query is built only from a checked
 * instance id. A group name such as {@code web servers} is a valid event but renders
 * {@code node-name: "{group}-{instanceId}"} into something that is not a node name: the step
 * then fails permanently without running knife. The {@code knife} and {@code config} paths are
 * the operator's ({@link ToolPaths}): any absolute path, spaces included, passed as one argument.
 *
 * <p>Some names are never deleted, whatever the event or the search says: the organization's
 * validator client (a name ending in {@code -validator}), which every new node registers with,
 * and the client Lifeguard itself authenticates as ({@code client-name}; for knife, passed as
 * {@code --user}). Asked to delete one, the step fails permanently, before deleting anything.
 */
public class ChefCleanup implements Step {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    /** A host or Chef node name: letters, digits, '.', '_' and '-', starting and ending with a letter or digit. */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?");
    private static final String NODE_RULE = "only letters, digits, '.', '_' and '-', starting and ending with a letter or"
            + " digit, at most 254 characters (no spaces, '*', '?', ':' or quotes)";
    private static final Pattern INSTANCE_ID = Pattern.compile("i-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    /** The suffix Chef gives an organization's validator client: {@code <org>-validator}. */
    static final String VALIDATOR_SUFFIX = "-validator";

    /** The API server: https, or http to this host only (a local stand-in), and an organization's path. */
    private static final Pattern SERVER_URL = Pattern.compile(
            "(?:https://[A-Za-z0-9.-]{1,253}|http://(?:127\\.0\\.0\\.1|localhost))(?::\\d{1,5})?/organizations/[a-z0-9_-]{1,255}");
    private static final Set<String> KNIFE_SETTINGS = Set.of("knife", "config");
    private static final Set<String> API_SETTINGS = Set.of("server-url", "key");

    private final CommandRunner commands;
    private final ChefKeys keys;
    private final HttpClient http;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    /** knife only, and the API transport with keys from files and the environment. */
    public ChefCleanup(CommandRunner commands) {
        this(commands, ChefKeys.withoutAws(), Clock.systemUTC());
    }

    public ChefCleanup(CommandRunner commands, ChefKeys keys, Clock clock) {
        this.commands = commands;
        this.keys = keys;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String type() {
        return "chef-cleanup";
    }

    @Override
    public java.util.Set<String> settings() {
        return Set.of("knife", "config", "node-name", "transport", "server-url", "client-name", "key");
    }

    /** The settings of one transport only, each well-formed; the key is not read here. */
    @Override
    public void check(StepConfig config) {
        String step = config.stepName();
        String transport = config.string("transport", "knife");
        Set<String> other = switch (transport) {
            case "knife" -> API_SETTINGS;
            case "api" -> KNIFE_SETTINGS;
            default -> throw new IllegalArgumentException("step " + step + ": transport must be knife or api, not "
                    + Identifiers.quote(transport));
        };
        for (String key : other) {
            if (config.values().containsKey(key)) {
                throw new IllegalArgumentException("step " + step + ": '" + key + "' does not apply to transport " + transport);
            }
        }
        if (transport.equals("api")) {
            config.string("server-url");
            config.string("client-name");
            config.string("key");
            serverUrl(step, config.string("server-url"));
            clientName(step, config.string("client-name"));
            ChefKeys.check(step, config.string("key"));
            return;
        }
        for (String key : KNIFE_SETTINGS) {
            if (config.values().containsKey(key)) {
                ToolPaths.require(step, key, config.string(key));
            }
        }
        if (config.values().containsKey("client-name")) {
            clientName(step, config.string("client-name"));
        }
    }

    private static URI serverUrl(String step, String url) {
        return URI.create(ToolValues.require(step, "server-url", url, SERVER_URL, "a Chef server organization URL",
                "https://<host>[:port]/organizations/<org> (http only to 127.0.0.1 or localhost), no trailing '/', query or user"));
    }

    private static String clientName(String step, String name) {
        return ToolValues.require(step, "client-name", name, NODE_NAME, "a Chef client name", NODE_RULE);
    }

    @Override
    public StepOutcome run(StepRequest request) {
        StepConfig config = request.config();
        String step = config.stepName();
        if (config.string("transport", "knife").equals("api")) {
            return runApi(request);
        }
        String knife = ToolPaths.require(step, "knife", config.string("knife", "knife"));
        String self = config.values().containsKey("client-name") ? clientName(step, config.string("client-name")) : null;
        // Options go after the subcommand's own arguments, as knife reads them anywhere.
        List<String> options = new ArrayList<>();
        if (config.values().containsKey("config")) {
            options.addAll(List.of("-c", ToolPaths.require(step, "config", config.string("config"))));
        }
        if (self != null) {
            options.addAll(List.of("--user", self));
        }

        Targets targets = targets(request);
        List<String> names = new ArrayList<>(spared(step, targets.names(), self));
        if (request.dryRun()) {
            String target = targets.search() != null ? "the node found by 'knife search node " + targets.search() + "'"
                    : String.join(", ", names);
            return StepOutcome.skipped("would run knife node delete and knife client delete for " + target);
        }
        if (targets.search() != null) {
            names.addAll(spared(step, searchNodes(step, knife, targets.search(), options), self));
            if (names.isEmpty()) {
                return StepOutcome.alreadyDone("no Chef node with " + targets.search());
            }
        }

        List<String> done = new ArrayList<>();
        boolean anyDeleted = false;
        for (String name : names) {
            anyDeleted |= delete(knife, "node", name, options, done);
            anyDeleted |= delete(knife, "client", name, options, done);
        }
        String detail = String.join("; ", done);
        return anyDeleted ? StepOutcome.succeeded(detail) : StepOutcome.alreadyDone(detail);
    }

    /**
     * The names, when none of them is one Lifeguard never deletes.
     *
     * @param self the client Lifeguard authenticates as, or null when the profile does not say
     * @throws dev.lifeguard.steps.PermanentStepException naming the first such name and why it is kept
     */
    static List<String> spared(String step, List<String> names, String self) {
        for (String name : names) {
            if (name.toLowerCase(Locale.ROOT).endsWith(VALIDATOR_SUFFIX)) {
                throw new PermanentStepException(step + ": refusing to delete the node and client " + Identifiers.quote(name)
                        + ": a name ending in '" + VALIDATOR_SUFFIX + "' is the organization's validator client, which new"
                        + " nodes register with; Lifeguard never deletes it");
            }
            if (self != null && name.equalsIgnoreCase(self)) {
                throw new PermanentStepException(step + ": refusing to delete the node and client " + Identifiers.quote(name)
                        + ": it is the client Lifeguard authenticates as (client-name); Lifeguard never deletes it");
            }
        }
        return names;
    }

    /** The names to delete, or, when there are none yet, the instance id query to search for. */
    private record Targets(List<String> names, String search) {
    }

    private Targets targets(StepRequest request) {
        StepConfig config = request.config();
        String step = config.stepName();
        List<String> names = new ArrayList<>();
        if (config.values().containsKey("node-name")) {
            names.add(nodeName(step, request.render(config.string("node-name"))));
            return new Targets(names, null);
        }
        if (request.event().nodeName() != null) {
            names.add(nodeName(step, request.event().nodeName()));
            return new Targets(names, null);
        }
        String instanceId = request.facts() != null && request.facts().instanceId() != null
                ? request.facts().instanceId() : request.event().instanceId();
        if (instanceId == null) {
            throw new IllegalArgumentException("chef-cleanup needs node-name, a NodeName or an instance id to search for");
        }
        // Facts come from our table, not from a checked message: the query is built only from an
        // id that is one, so it cannot widen the search.
        return new Targets(names, "ec2_instance_id:" + ToolValues.require(step, "instance id", instanceId, INSTANCE_ID,
                "an EC2 instance id", "i- followed by 8 or 17 lower-case hex digits"));
    }

    /** Over the Chef Server API: search by instance id, then DELETE /nodes/NAME and /clients/NAME; 404 is already gone. */
    private StepOutcome runApi(StepRequest request) {
        StepConfig config = request.config();
        String step = config.stepName();
        check(config);
        URI server = serverUrl(step, config.string("server-url"));
        String client = clientName(step, config.string("client-name"));
        Targets targets = targets(request);
        List<String> names = new ArrayList<>(spared(step, targets.names(), client));
        if (request.dryRun()) {
            String target = targets.search() != null ? "the nodes found by a search for " + targets.search()
                    : String.join(", ", names);
            return StepOutcome.skipped("would delete the Chef node and client of " + target + " on " + server + " as " + client);
        }
        Instant deadline = clock.instant().plus(config.duration("timeout", Duration.ofMinutes(5)));
        ChefServerApi api = new ChefServerApi(http, server, client, keys.read(step, config.string("key")), deadline, clock, step);
        if (targets.search() != null) {
            // Names come back from the Chef server: every one is checked before any is deleted.
            List<String> found = new ArrayList<>();
            for (String name : api.searchNodes(targets.search())) {
                found.add(nodeName(step, name));
            }
            names.addAll(spared(step, found, client));
            if (names.isEmpty()) {
                return StepOutcome.alreadyDone("no Chef node with " + targets.search());
            }
        }
        List<String> done = new ArrayList<>();
        boolean anyDeleted = false;
        for (String name : names) {
            for (String kind : List.of("node", "client")) {
                boolean deleted = api.delete(kind, name);
                done.add(kind + " " + name + (deleted ? " deleted" : " already gone"));
                anyDeleted |= deleted;
            }
        }
        String detail = String.join("; ", done);
        return anyDeleted ? StepOutcome.succeeded(detail) : StepOutcome.alreadyDone(detail);
    }

    /** {@code knife search node QUERY -i -F json} prints {"results": n, "rows": ["name", ...]}. */
    private List<String> searchNodes(String step, String knife, String query, List<String> options) {
        List<String> argv = new ArrayList<>(List.of(knife, "search", "node", query, "-i", "-F", "json"));
        argv.addAll(options);
        CommandResult result = commands.run(argv, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException("knife search failed (exit " + result.exitCode() + "): " + result.excerpt());
        }
        if (result.wasCut()) {
            throw new IllegalStateException("knife search printed more than " + BoundedOutput.LIMIT
                    + " bytes; it was cut there and not read as JSON: " + result.excerpt());
        }
        try {
            JsonNode rows = json.readTree(result.stdout()).path("rows");
            List<String> names = new ArrayList<>();
            for (JsonNode row : rows) {
                // Names come back from the Chef server: checked like any other value knife gets.
                names.add(nodeName(step, row.asText()));
            }
            return names;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalStateException("knife search printed no JSON: " + result.excerpt());
        }
    }

    /** @throws dev.lifeguard.steps.PermanentStepException when {@code name} is not a host or node name */
    private static String nodeName(String step, String name) {
        return ToolValues.require(step, "node name", name, NODE_NAME, "a Chef node name", NODE_RULE);
    }

    /** @return true when something was deleted, false when it was already gone */
    private boolean delete(String knife, String kind, String name, List<String> options, List<String> done) {
        List<String> argv = new ArrayList<>(List.of(knife, kind, "delete", name, "-y"));
        argv.addAll(options);
        CommandResult result = commands.run(argv, COMMAND_TIMEOUT);
        if (result.succeeded()) {
            done.add(kind + " " + name + " deleted");
            return true;
        }
        // knife exits 100 with "The object you are looking for could not be found" (an HTTP 404).
        String output = result.output().toLowerCase();
        if (output.contains("404") || output.contains("could not be found") || output.contains("not found")) {
            done.add(kind + " " + name + " already gone");
            return false;
        }
        throw new IllegalStateException("knife " + kind + " delete " + name + " failed (exit " + result.exitCode() + "): " + result.excerpt());
    }
}
