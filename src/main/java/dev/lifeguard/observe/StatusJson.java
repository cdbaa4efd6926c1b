package dev.lifeguard.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.engine.Ledger;
import dev.lifeguard.profiles.ProfileStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The body of {@code GET /observe/status}, field for field as the README documents it: instants
 * as ISO-8601 UTC text, durations as seconds, and every unknown value a JSON null, never absent.
 */
final class StatusJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusJson() {
    }

    static ObjectNode of(String replica, String version, Ledger.Snapshot ledger, ProfileStore.Loaded profiles,
                         List<DeadLetterDepth.Reading> deadLetters) {
        ObjectNode root = JSON.createObjectNode();
        root.put("replica", replica);
        root.put("version", version);
        root.put("at", text(ledger.at()));
        ArrayNode inFlight = root.putArray("inFlight");
        ledger.inFlight().forEach(e -> inFlight(inFlight.addObject(), e));
        ArrayNode groups = root.putArray("groups");
        for (Ledger.GroupSlots g : ledger.groups()) {
            groups.addObject().put("group", g.group()).put("inFlight", g.inFlight()).put("maxInFlight", g.maxInFlight())
                    .put("waiting", g.waiting());
        }
        ArrayNode recent = root.putArray("recent");
        for (Ledger.Ended e : ledger.recent()) {
            recent.addObject().put("key", e.key()).put("kind", e.kind()).put("group", e.group()).put("instance", e.instance())
                    .put("hook", e.hook()).put("account", e.account()).put("region", e.region()).put("outcome", e.outcome()).put("result", e.result()).put("reason", e.reason())
                    .put("endedAt", text(e.endedAt()));
        }
        ObjectNode files = root.putObject("profiles");
        files.put("file", profiles == null ? null : profiles.file());
        files.put("version", profiles == null ? null : profiles.version());
        files.put("loadedAt", profiles == null ? null : text(profiles.at()));
        reading(root.putObject("deadLetters"), total(deadLetters));
        ArrayNode each = root.putArray("deadLetterQueues");
        deadLetters.forEach(r -> reading(each.addObject(), r));
        return root;
    }

    private static void reading(ObjectNode node, DeadLetterDepth.Reading r) {
        node.put("queue", r.queue()).put("messages", r.messages()).put("readAt", text(r.readAt())).put("error", r.error());
    }

    /**
     * Every intake queue's dead-letter queue together: the messages of those read (null when none
     * was), the oldest reading, and every error. With one queue, its own reading.
     */
    static DeadLetterDepth.Reading total(List<DeadLetterDepth.Reading> readings) {
        if (readings.size() == 1) {
            return readings.get(0);
        }
        Long messages = readings.stream().map(DeadLetterDepth.Reading::messages).filter(Objects::nonNull)
                .reduce(Long::sum).orElse(null);
        Instant readAt = readings.stream().map(DeadLetterDepth.Reading::readAt).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(null);
        List<String> errors = readings.stream().filter(r -> r.error() != null).map(r -> r.queue() + ": " + r.error()).toList();
        return new DeadLetterDepth.Reading(readings.stream().map(DeadLetterDepth.Reading::queue).collect(Collectors.joining(", ")),
                messages, readAt, errors.isEmpty() ? null : String.join("; ", errors));
    }

    private static void inFlight(ObjectNode node, Ledger.InFlight e) {
        node.put("key", e.key()).put("kind", e.kind()).put("group", e.group()).put("instance", e.instance())
                .put("hook", e.hook()).put("account", e.account()).put("region", e.region()).put("attempt", e.attempt()).put("state", e.state().name());
        if (e.step() == null) {
            node.putNull("step");
        } else {
            node.putObject("step").put("name", e.step().name()).put("type", e.step().type())
                    .put("runningSeconds", seconds(e.step().running()));
        }
        if (e.parked() == null) {
            node.putNull("parked");
        } else {
            node.putObject("parked").put("handle", e.parked().handle()).put("nextLookAt", text(e.parked().nextLookAt()));
        }
        Ledger.Heartbeats beats = e.heartbeats();
        node.putObject("heartbeats").put("sent", beats == null ? 0 : beats.sent())
                .put("lastAt", beats == null ? null : text(beats.lastAt()))
                .put("lastResult", beats == null ? null : beats.lastResult());
        node.put("heartbeatTimeoutSeconds", e.heartbeatTimeout() == null ? null : e.heartbeatTimeout().toSeconds());
        node.put("heartbeatSecondsLeft", seconds(e.heartbeatLeft()));
        node.put("globalSecondsLeft", seconds(e.globalLeft()));
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** Seconds to a tenth: what a countdown shows. */
    private static Double seconds(Duration duration) {
        return duration == null ? null : Math.round(duration.toMillis() / 100.0) / 10.0;
    }
}
