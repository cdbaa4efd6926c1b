package dev.lifeguard.steps.chef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes an instance's Chef node and client (seeds 000 and 002). The node name comes from a
 * template ({@code node-name}), from a cleanup request's NodeName, or from a knife search on
 * the EC2 instance id, which is what Ohai records for every node. A node or client that is
 * already gone counts as deleted.
 */
public class ChefCleanup implements Step {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final CommandRunner commands;
    private final ObjectMapper json = new ObjectMapper();

    public ChefCleanup(CommandRunner commands) {
        this.commands = commands;
    }

    @Override
    public String type() {
        return "chef-cleanup";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("knife", "config", "node-name");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        StepConfig config = request.config();
        String knife = config.string("knife", "knife");
        List<String> configArgs = config.values().containsKey("config") ? List.of("-c", config.string("config")) : List.of();

        List<String> names = new ArrayList<>();
        String search = null;
        if (config.values().containsKey("node-name")) {
            names.add(Identifiers.nodeName("node-name", request.render(config.string("node-name"))));
        } else if (request.event().nodeName() != null) {
            names.add(request.event().nodeName());
        } else {
            String instanceId = request.facts() != null && request.facts().instanceId() != null
                    ? request.facts().instanceId() : request.event().instanceId();
            if (instanceId == null) {
                throw new IllegalArgumentException("chef-cleanup needs node-name, a NodeName or an instance id to search for");
            }
            search = "ec2_instance_id:" + Identifiers.instanceId("instance id", instanceId);
        }

        if (request.dryRun()) {
            String target = search != null ? "the node found by 'knife search node " + search + "'" : String.join(", ", names);
            return StepOutcome.skipped("would run knife node delete and knife client delete for " + target);
        }
        if (search != null) {
            names.addAll(searchNodes(knife, search, configArgs));
            if (names.isEmpty()) {
                return StepOutcome.alreadyDone("no Chef node with " + search);
            }
        }

        List<String> done = new ArrayList<>();
        boolean anyDeleted = false;
        for (String name : names) {
            anyDeleted |= delete(knife, "node", name, configArgs, done);
            anyDeleted |= delete(knife, "client", name, configArgs, done);
        }
        String detail = String.join("; ", done);
        return anyDeleted ? StepOutcome.succeeded(detail) : StepOutcome.alreadyDone(detail);
    }

    /** {@code knife search node QUERY -i -F json} prints {"results": n, "rows": ["name", ...]}. */
    private List<String> searchNodes(String knife, String query, List<String> configArgs) {
        List<String> argv = new ArrayList<>(List.of(knife, "search", "node", query, "-i", "-F", "json"));
        argv.addAll(configArgs);
        CommandResult result = commands.run(argv, COMMAND_TIMEOUT);
        if (!result.succeeded()) {
            throw new IllegalStateException("knife search failed (exit " + result.exitCode() + "): " + result.excerpt());
        }
        try {
            JsonNode rows = json.readTree(result.stdout()).path("rows");
            List<String> names = new ArrayList<>();
            for (JsonNode row : rows) {
                // Names come back from the Chef server: validated like any other identifier.
                names.add(Identifiers.nodeName("Chef node name", row.asText()));
            }
            return names;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalStateException("knife search printed no JSON: " + result.excerpt());
        }
    }

    /** @return true when something was deleted, false when it was already gone */
    private boolean delete(String knife, String kind, String name, List<String> configArgs, List<String> done) {
        List<String> argv = new ArrayList<>(List.of(knife, kind, "delete", name, "-y"));
        argv.addAll(configArgs);
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
