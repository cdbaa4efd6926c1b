package dev.lifeguard.cli;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.store.ClaimStatus;
import dev.lifeguard.store.FleetView;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** How {@code status} shows the events in flight to people: one row each, columns aligned. */
final class StatusText {
    private static final List<String> HEADINGS = List.of("SINCE", "KIND", "GROUP", "INSTANCE", "HOOK", "ACCOUNT/REGION", "OWNER", "LEASE",
            "ATTEMPT", "STEPS");

    private StatusText() {
    }

    static void print(PrintStream out, String table, List<FleetView.Event> events, Instant now) {
        long replicas = events.stream().map(FleetView.Event::owner).distinct().count();
        out.println("In flight in table " + table + ": " + events.size() + " event" + (events.size() == 1 ? "" : "s")
                + " held by " + replicas + " replica" + (replicas == 1 ? "" : "s") + ", oldest first.");
        out.println();
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (FleetView.Event event : events) {
            rows.add(List.of(text(event.since()), event.kind() == null ? "-" : event.kind().toLowerCase(), shown(event.group()),
                    shown(event.instance()), shown(event.hook()), where(event), shown(event.owner()), lease(event, now),
                    Integer.toString(event.attempt()), steps(event)));
        }
        int[] widths = new int[HEADINGS.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    /** {@code 222222222222/us-west-2}, or {@code -} for an event whose message did not say. */
    private static String where(FleetView.Event event) {
        return event.account() == null && event.region() == null ? "-"
                : (event.account() == null ? "?" : event.account()) + "/" + (event.region() == null ? "?" : event.region());
    }

    /** Until when the claim holds, or what became of it. */
    static String lease(FleetView.Event event, Instant now) {
        if (ClaimStatus.RELEASED.name().equals(event.status())) {
            return "released, to be tried again";
        }
        if (event.leaseUntil() == null) {
            return text(event.status());
        }
        if (event.lapsed(now)) {
            return "lapsed " + HistoryText.duration(Duration.between(event.leaseUntil(), now)) + " ago: taken over on its next delivery";
        }
        return HistoryText.duration(Duration.between(now, event.leaseUntil())) + " left";
    }

    /** Each step recorded so far: {@code drain WAITING on <handle>}, {@code accept SUCCEEDED}. */
    private static String steps(FleetView.Event event) {
        if (event.steps().isEmpty()) {
            return "-";
        }
        return event.steps().stream()
                .map(step -> Identifiers.forLog(step.name()) + " " + text(step.status())
                        + (step.handle() == null ? "" : " on " + HistoryText.printable(step.handle())))
                .collect(Collectors.joining(", "));
    }

    private static String shown(String value) {
        return value == null ? "-" : Identifiers.forLog(value);
    }

    private static String text(String value) {
        return value == null ? "-" : HistoryText.printable(value);
    }
}
