package dev.lifeguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.store.ClaimStatus;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** How {@code history} shows the table's records: a few lines each for people, or JSON for tools. */
final class HistoryText {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HistoryText() {
    }

    static void print(PrintStream out, HistoryCommand.Subject subject, String table, List<Map<String, AttributeValue>> records,
                      int limit) {
        out.println("History of " + subject.describe() + " in table " + table + ": " + records.size() + " record"
                + (records.size() == 1 ? "" : "s") + (records.size() == limit ? " (the newest " + limit + "; --limit shows more)" : "")
                + ", oldest first.");
        for (Map<String, AttributeValue> record : records) {
            out.println();
            out.println(heading(record, subject));
            out.println("  " + state(record));
            String retention = retention(record);
            if (retention != null) {
                out.println("  " + retention);
            }
            for (String step : steps(record)) {
                out.println("  step " + step);
            }
            String error = text(record, "lastError");
            if (error != null) {
                // A success keeps the error of the attempt before it: say whose it is.
                boolean succeeded = Outcome.SUCCEEDED.name().equals(text(record, "result"));
                out.println((succeeded ? "  error of an earlier attempt: " : "  last error: ") + printable(error));
            }
        }
    }

    /** When, what kind of event, and about whom (the instance or group not already named). */
    private static String heading(Map<String, AttributeValue> record, HistoryCommand.Subject subject) {
        StringBuilder line = new StringBuilder(String.valueOf(text(record, "createdAt")));
        String kind = text(record, "kind");
        line.append("  ").append(kind == null ? "?" : kind.toLowerCase().replace('_', '-'));
        if (!subject.what().equals("instance")) {
            append(line, "instance", text(record, "instanceId"));
        }
        if (!subject.what().equals("group")) {
            append(line, "group", text(record, "groupName"));
        }
        append(line, "hook", text(record, "hookName"));
        append(line, "node", text(record, "nodeName"));
        append(line, "ip", text(record, "ipAddress"));
        append(line, "via", lower(text(record, "envelope")));
        append(line, "account", text(record, "account"));
        append(line, "region", text(record, "region"));
        return line.toString();
    }

    /** Where the event stands: its result, the hook's, attempts and time taken, or who holds it now. */
    private static String state(Map<String, AttributeValue> record) {
        String status = text(record, "status");
        String result = text(record, "result");
        String attempts = number(record, "attempts");
        List<String> parts = new ArrayList<>();
        if (ClaimStatus.CLAIMED.name().equals(status)) {
            parts.add("in progress: claimed by " + Identifiers.forLog(text(record, "owner"))
                    + (record.containsKey("leaseExpiresAt") ? " until " + Instant.ofEpochSecond(Long.parseLong(number(record, "leaseExpiresAt"))) : ""));
        } else if (ClaimStatus.RELEASED.name().equals(status)) {
            parts.add(result == null ? "released, to be tried again" : "result " + result + ", released to be tried again on the next delivery");
        } else if (result != null) {
            parts.add("result " + result);
        } else {
            parts.add("status " + status);
        }
        String hookResult = text(record, "hookResult");
        if (hookResult != null) {
            parts.add("hook completed " + hookResult);
        }
        if (attempts != null) {
            parts.add("attempts " + attempts);
        }
        String took = took(text(record, "createdAt"), text(record, "finishedAt"));
        if (took != null) {
            parts.add("took " + took + " (finished " + text(record, "finishedAt") + ")");
        }
        AttributeValue dryRun = record.get("dryRun");
        if (dryRun != null && Boolean.TRUE.equals(dryRun.bool())) {
            parts.add("dry run");
        }
        return String.join(", ", parts);
    }

    /** What became of a retained instance: waiting for {@code resume}, or resumed and terminated. */
    private static String retention(Map<String, AttributeValue> record) {
        String result = text(record, "result");
        String instance = text(record, "instanceId");
        if (Outcome.RETAINED.name().equals(result)) {
            return "retained by Auto Scaling (" + text(record, "retainedState") + ") since " + text(record, "retainedAt")
                    + ": once the cause is fixed, `lifeguard resume " + instance + "` runs the steps not done and terminates it";
        }
        if (Outcome.RESUMED.name().equals(result)) {
            String steps = text(record, "resumeSteps");
            return "resumed " + text(record, "resumedAt") + (steps == null ? ", steps not run (--terminate-only)"
                    : ", steps: " + printable(steps)) + "; " + printable(String.valueOf(text(record, "termination")));
        }
        return null;
    }

    /** Each step with its status, duration and excerpt; while in progress, what each step waits on. */
    private static List<String> steps(Map<String, AttributeValue> record) {
        List<String> lines = new ArrayList<>();
        AttributeValue results = record.get("stepResults");
        if (results != null && results.hasL() && !results.l().isEmpty()) {
            for (AttributeValue value : results.l()) {
                Map<String, AttributeValue> step = value.m();
                String millis = number(step, "durationMillis");
                String detail = text(step, "detail");
                lines.add(Identifiers.forLog(text(step, "name")) + " (" + text(step, "type") + "): " + text(step, "status")
                        + (millis == null ? "" : " in " + duration(Duration.ofMillis(Long.parseLong(millis))))
                        + (detail == null || detail.isBlank() ? "" : ": " + printable(detail)));
            }
            return lines;
        }
        AttributeValue state = record.get("stepState");
        if (state != null && state.hasM()) {
            new TreeMap<>(state.m()).forEach((name, value) -> {
                Map<String, AttributeValue> step = value.m();
                String handle = text(step, "handle");
                String detail = text(step, "detail");
                lines.add(Identifiers.forLog(name) + ": " + text(step, "status") + (handle == null ? "" : " on " + printable(handle))
                        + (detail == null ? "" : ": " + printable(detail)));
            });
        }
        return lines;
    }

    static String json(List<Map<String, AttributeValue>> records) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        records.forEach(record -> array.add(json(AttributeValue.fromM(record))));
        try {
            return JSON.writeValueAsString(array);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(AttributeValue value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (value.type()) {
            case S -> nodes.textNode(value.s());
            case N -> nodes.numberNode(new BigDecimal(value.n()));
            case BOOL -> nodes.booleanNode(value.bool());
            case NUL -> nodes.nullNode();
            case L -> {
                ArrayNode array = nodes.arrayNode();
                value.l().forEach(v -> array.add(json(v)));
                yield array;
            }
            case M -> {
                ObjectNode object = nodes.objectNode();
                new TreeMap<>(value.m()).forEach((k, v) -> object.set(k, json(v)));
                yield object;
            }
            default -> nodes.textNode(value.toString());
        };
    }

    private static String took(String created, String finished) {
        if (created == null || finished == null) {
            return null;
        }
        try {
            return duration(Duration.between(Instant.parse(created), Instant.parse(finished)));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format("%.1f s", millis / 1000.0);
        }
        long seconds = duration.toSeconds();
        return seconds < 3600 ? seconds / 60 + " min " + seconds % 60 + " s" : seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }

    private static void append(StringBuilder line, String name, String value) {
        if (value != null) {
            line.append("  ").append(name).append(' ').append(Identifiers.forLog(value));
        }
    }

    /** Free text (an error, a command's output) on one line, with control characters escaped. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.strip().codePoints().forEach(c -> {
            int type = Character.getType(c);
            if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE) {
                out.append(c == '\n' ? "\\n" : String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase();
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    private static String number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.n();
    }
}
