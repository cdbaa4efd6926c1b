package dev.lifeguard.observe;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;

/**
 * Camel developer console {@code lifeguard}: the same report as {@code GET /observe/status}, for
 * {@code camel get}, Hawtio and {@code /q/dev/lifeguard}. Found through its
 * {@code META-INF/services/org/apache/camel/dev-console/lifeguard} file, only where Camel's console
 * registry ({@code camel-console}) is present and consoles are on: local mode, not the jar.
 */
@DevConsole(name = "lifeguard", group = "lifeguard", displayName = "Lifeguard",
        description = "Lifecycle events this replica holds, its groups' slots, recent outcomes and dead letters")
public class LedgerConsole extends AbstractDevConsole {
    private static final int RECENT_SHOWN = 20;

    public LedgerConsole() {
        super("lifeguard", "lifeguard", "Lifeguard",
                "Lifecycle events this replica holds, its groups' slots, recent outcomes and dead letters");
    }

    private JsonNode report() {
        StatusReport report = getCamelContext().getRegistry().lookupByNameAndType("statusReport", StatusReport.class);
        if (report == null) {
            throw new IllegalStateException("no statusReport bean: Lifeguard's configuration did not run");
        }
        return report.json();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        return Jsoner.deserialize(report().toString(), new JsonObject());
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        JsonNode r = report();
        StringBuilder text = new StringBuilder();
        text.append(String.format("Replica %s (version %s) at %s%n", r.path("replica").asText(), r.path("version").asText(),
                r.path("at").asText()));
        text.append(String.format("%nIn flight: %d%n", r.path("inFlight").size()));
        for (JsonNode e : r.path("inFlight")) {
            text.append(String.format("  %-16s %-12s %s %s hook=%s attempt=%d step=%s parked=%s heartbeat-left=%s global-left=%s%n",
                    e.path("state").asText(), e.path("kind").asText(), e.path("group").asText(), e.path("instance").asText(),
                    e.path("hook").asText(), e.path("attempt").asInt(), e.path("step").path("name").asText("-"),
                    e.path("parked").path("handle").asText("-"), e.path("heartbeatSecondsLeft").asText("-"),
                    e.path("globalSecondsLeft").asText("-")));
        }
        text.append(String.format("%nGroups:%n"));
        for (JsonNode g : r.path("groups")) {
            text.append(String.format("  %s: %d in flight of %s, %d waiting%n", g.path("group").asText(), g.path("inFlight").asInt(),
                    g.path("maxInFlight").isNull() ? "no limit" : g.path("maxInFlight").asText(), g.path("waiting").asInt()));
        }
        text.append(String.format("%nRecent (newest first, %d kept):%n", r.path("recent").size()));
        int shown = 0;
        for (JsonNode e : r.path("recent")) {
            if (shown++ == RECENT_SHOWN) {
                break;
            }
            text.append(String.format("  %s %-13s %-8s %s %s %s%n", e.path("endedAt").asText(), e.path("outcome").asText(),
                    e.path("result").asText("-"), e.path("group").asText(), e.path("instance").asText(),
                    e.path("reason").isNull() ? "" : e.path("reason").asText()));
        }
        JsonNode p = r.path("profiles");
        text.append(String.format("%nProfiles: %s version %s loaded %s%n", p.path("file").asText(), p.path("version").asText(),
                p.path("loadedAt").asText()));
        JsonNode d = r.path("deadLetters");
        text.append(String.format("Dead letters: %s in %s (read %s)%s%n", d.path("messages").asText("?"), d.path("queue").asText(),
                d.path("readAt").asText(), d.path("error").isNull() ? "" : ", error: " + d.path("error").asText()));
        return text.toString();
    }
}
