package dev.lifeguard.steps.salt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.steps.exec.CommandResult;
import dev.lifeguard.steps.exec.CommandRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code salt MINION state.<function> ... --out json} and decides success from the JSON,
 * not the exit code: salt exits 0 when a state fails unless told otherwise, and prints a string
 * instead of a result map when the minion did not answer.
 */
final class SaltStateRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SaltStateRun() {
    }

    /** @return a one-line summary, e.g. "highstate on web-asg-i-0123…: 12 states, 3 changed" */
    static String run(CommandRunner commands, String salt, String minion, List<String> function, Duration timeout) {
        List<String> argv = new ArrayList<>(List.of(salt, minion));
        argv.addAll(function);
        argv.addAll(List.of("--out", "json"));
        CommandResult result = commands.run(argv, timeout);
        JsonNode states;
        try {
            states = JSON.readTree(result.stdout()).path(minion);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalStateException(String.join(" ", function) + " on " + minion + " printed no JSON (exit "
                    + result.exitCode() + "): " + result.excerpt());
        }
        if (!states.isObject()) {
            throw new IllegalStateException(String.join(" ", function) + " on " + minion + " did not run: "
                    + (states.isMissingNode() ? "no answer from the minion" : states.toString()));
        }
        Tally tally = Tally.of(states);
        int total = tally.total();
        int changed = tally.changed();
        List<String> failed = tally.failed();
        String summary = String.join(" ", function) + " on " + minion + ": " + total + " states, " + changed + " changed";
        if (!failed.isEmpty() || !result.succeeded() && total == 0) {
            throw new IllegalStateException(summary + ", " + failed.size() + " failed: " + String.join("; ", failed));
        }
        return summary;
    }

    /** What a state return says: how many states, how many changed, which failed ("id: comment"). */
    record Tally(int total, int changed, List<String> failed) {
        static Tally of(JsonNode states) {
            int total = 0;
            int changed = 0;
            List<String> failed = new ArrayList<>();
            for (Map.Entry<String, JsonNode> state : states.properties()) {
                total++;
                JsonNode value = state.getValue();
                if (!value.path("result").asBoolean(false)) {
                    failed.add(value.path("__id__").asText(state.getKey()) + ": " + value.path("comment").asText(""));
                }
                if (value.path("changes").size() > 0) {
                    changed++;
                }
            }
            return new Tally(total, changed, List.copyOf(failed));
        }
    }
}
