package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.metrics.LifeguardMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/dashboard.json queries only what the service exposes, and shows all of it. What it
 * exposes is read from a Prometheus scrape of {@link LifeguardMetrics} after every one of its
 * methods was called with every value of each enum or boolean argument: metric names, their labels,
 * and the label values that come from those fixed sets. A panel that names a metric or label the
 * service does not have, or matches a label on a value it never takes, fails here; so does a
 * metric added to LifeguardMetrics without a panel.
 */
class DashboardTest {
    private static final Path FILE = Path.of("deploy/dashboard.json");
    private static final String DATA_SOURCE = "${DS_PROMETHEUS}";
    /** Labels Prometheus adds to every series it scrapes, whatever the target exposes. */
    private static final Set<String> TARGET_LABELS = Set.of("instance", "job");
    /** Stands for a String argument: a value the callers choose, which a panel cannot count on. */
    private static final String CALLERS_WORD = "<any string>";
    private static final Pattern SAMPLE_LABEL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private final JsonNode dashboard = read();
    private final Exposed exposed = Exposed.byLifeguardMetrics();

    @Test
    void theDashboardTakesItsPrometheusAsAnInputAndEveryPanelSaysWhatItShows() {
        JsonNode input = dashboard.path("__inputs").get(0);
        assertEquals("DS_PROMETHEUS", input.path("name").asText());
        assertEquals("datasource", input.path("type").asText());
        assertEquals("prometheus", input.path("pluginId").asText());
        assertEquals(1, dashboard.path("__inputs").size());

        Set<Integer> ids = new HashSet<>();
        Set<String> cells = new HashSet<>();
        List<JsonNode> panels = panels();
        for (JsonNode panel : panels) {
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + panel.path("id"));
            JsonNode at = panel.path("gridPos");
            assertTrue(at.path("x").asInt() + at.path("w").asInt() <= 24, panel.path("title") + " fits the width");
            for (int x = at.path("x").asInt(); x < at.path("x").asInt() + at.path("w").asInt(); x++) {
                for (int y = at.path("y").asInt(); y < at.path("y").asInt() + at.path("h").asInt(); y++) {
                    assertTrue(cells.add(x + "," + y), panel.path("title") + " overlaps another panel at " + x + "," + y);
                }
            }
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            assertFalse(title.isBlank());
            assertTrue(panel.path("description").asText().length() > 40, title + " says what it shows and what to do about it");
            assertEquals(DATA_SOURCE, panel.path("datasource").path("uid").asText(), title);
            assertFalse(panel.path("targets").isEmpty(), title);
            for (JsonNode target : panel.path("targets")) {
                assertEquals(DATA_SOURCE, target.path("datasource").path("uid").asText(), title);
                assertFalse(target.path("expr").asText().isBlank(), title);
            }
        }
        assertTrue(panels.stream().filter(p -> !p.path("type").asText().equals("row")).count() >= 8, "the panels an on-call engineer needs");
    }

    @Test
    void everyQueryNamesMetricsLabelsAndValuesTheServiceExposes() {
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                check(target.path("expr").asText(), target.path("legendFormat").asText(""), panel.path("title").asText());
            }
        }
    }

    /** The check above fails for each kind of mistake it is there for. */
    @Test
    void aQueryNamingWhatTheServiceDoesNotExposeFails() {
        check("sum by (result) (increase(lifeguard_events_total{result=\"GAVE_UP\"}[$__rate_interval]))", "{{result}}", "good");
        assertThrows(AssertionError.class, () -> check("sum(lifeguard_event_total)", "", "a misspelt metric"));
        assertThrows(AssertionError.class, () -> check("sum(rate(lifeguard_steps_seconds_bucket[5m]))", "", "a histogram the timer has not"));
        assertThrows(AssertionError.class, () -> check("sum by (group) (lifeguard_events_total)", "", "a label off by default"));
        assertThrows(AssertionError.class, () -> check("sum(lifeguard_events_total{result=\"FAILED\"})", "", "a value never taken"));
        assertThrows(AssertionError.class, () -> check("sum(lifeguard_dead_letters_total{reason=\"refused\"})", "",
                "a value its callers choose"));
        assertThrows(AssertionError.class, () -> check("sum by (result) (lifeguard_events_total)", "{{kind}}", "a legend label grouped away"));
        assertThrows(AssertionError.class, () -> check("up", "", "a metric that is not Lifeguard's"));
    }

    @Test
    void everyMetricTheServiceExposesIsOnTheDashboard() {
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                PromQuery.parse(target.path("expr").asText()).series().forEach(s -> queried.add(s.metric()));
            }
        }
        Set<String> missing = new TreeSet<>();
        for (String family : exposed.families()) {
            if (queried.stream().noneMatch(metric -> metric.startsWith(family))) {
                missing.add(family);
            }
        }
        assertEquals(Set.of(), missing, "exposed by LifeguardMetrics, shown by no panel");
        assertTrue(exposed.families().size() >= 13, "every method of LifeguardMetrics was called: " + exposed.families());
    }

    private void check(String expression, String legend, String panel) {
        PromQuery query = PromQuery.parse(expression);
        String where = panel + ": " + expression;
        assertFalse(query.series().isEmpty(), where);
        Set<String> resultLabels = new HashSet<>(TARGET_LABELS);
        for (PromQuery.Series series : query.series()) {
            Map<String, Set<String>> labels = exposed.metrics().get(series.metric());
            assertTrue(labels != null, where + " names " + series.metric() + ", which the service does not expose; it has "
                    + exposed.metrics().keySet());
            for (PromQuery.LabelMatch match : series.matches()) {
                if (TARGET_LABELS.contains(match.label())) {
                    continue;
                }
                Set<String> values = labels.get(match.label());
                assertTrue(values != null, where + " matches label " + match.label() + ", which " + series.metric() + " has not");
                List<String> named = match.operator().endsWith("~") ? List.of(match.value().split("\\|")) : List.of(match.value());
                for (String value : named) {
                    assertFalse(values.contains(CALLERS_WORD), where + ": the values of " + match.label()
                            + " are whatever its callers pass, so match none; group by it instead");
                    assertTrue(values.contains(value), where + ": " + match.label() + " is never " + value + " (it takes " + values + ")");
                }
            }
            for (String label : query.groupedBy()) {
                assertTrue(TARGET_LABELS.contains(label) || labels.containsKey(label),
                        where + " groups by " + label + ", which " + series.metric() + " has not");
            }
            resultLabels.addAll(labels.keySet());
        }
        if (!query.groupedBy().isEmpty()) {
            resultLabels.retainAll(query.groupedBy());
        }
        Matcher legendLabel = LEGEND_LABEL.matcher(legend);
        while (legendLabel.find()) {
            assertTrue(resultLabels.contains(legendLabel.group(1)), where + ": the legend's " + legendLabel.group(1)
                    + " is not a label of the result " + resultLabels);
        }
    }

    private List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            out.add(panel);
            panel.path("panels").forEach(out::add); // a collapsed row keeps its panels inside it
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(FILE.toFile());
        } catch (IOException e) {
            throw new AssertionError("deploy/dashboard.json does not read as JSON", e);
        }
    }

    /**
     * What a scrape shows: metric (sample) name → label → values seen, and the families of the
     * {@code # TYPE} lines.
     */
    private record Exposed(Map<String, Map<String, Set<String>>> metrics, Set<String> families) {
        static Exposed byLifeguardMetrics() {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // As the service runs by default: lifeguard.metrics.group-label is false.
            LifeguardMetrics metrics = new LifeguardMetrics(registry, false);
            for (Method method : LifeguardMetrics.class.getDeclaredMethods()) {
                if (Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()) && method.getReturnType() == void.class) {
                    for (Object[] arguments : everyCall(method)) {
                        try {
                            method.invoke(metrics, arguments);
                        } catch (IllegalAccessException | InvocationTargetException e) {
                            throw new AssertionError(method + " failed", e);
                        }
                    }
                }
            }
            Map<String, Map<String, Set<String>>> seen = new TreeMap<>();
            Set<String> families = new TreeSet<>();
            for (String line : registry.scrape().split("\n")) {
                if (line.startsWith("# TYPE lifeguard_")) {
                    families.add(line.split(" ")[2]);
                } else if (line.startsWith("lifeguard_")) {
                    int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                    Map<String, Set<String>> labels = seen.computeIfAbsent(line.substring(0, end), name -> new TreeMap<>());
                    Matcher label = SAMPLE_LABEL.matcher(line.substring(end, line.lastIndexOf(' ')));
                    while (label.find()) {
                        labels.computeIfAbsent(label.group(1), name -> new TreeSet<>()).add(label.group(2));
                    }
                }
            }
            return new Exposed(seen, families);
        }

        /** Every combination of the values each parameter can take. */
        private static List<Object[]> everyCall(Method method) {
            List<Object[]> calls = new ArrayList<>();
            calls.add(new Object[0]);
            for (Class<?> type : method.getParameterTypes()) {
                List<Object[]> longer = new ArrayList<>();
                for (Object[] call : calls) {
                    for (Object value : values(type, method)) {
                        Object[] next = java.util.Arrays.copyOf(call, call.length + 1);
                        next[call.length] = value;
                        longer.add(next);
                    }
                }
                calls = longer;
            }
            return calls;
        }

        private static List<Object> values(Class<?> type, Method method) {
            if (type.isEnum()) {
                return List.of(type.getEnumConstants());
            }
            if (type == boolean.class) {
                return List.of(true, false);
            }
            if (type == String.class) {
                return List.of(CALLERS_WORD);
            }
            if (type == Duration.class) {
                return List.of(Duration.ofMillis(1500));
            }
            if (type == Supplier.class) {
                return List.of((Supplier<Number>) () -> 0);
            }
            if (type == dev.lifeguard.event.AccountRegion.class) {
                // Labels only with lifeguard.metrics.account-label, off here as by default.
                return List.of(new dev.lifeguard.event.AccountRegion("222222222222", "us-west-2"));
            }
            throw new AssertionError(method + " takes a " + type.getName() + ": say here which values it can take");
        }
    }
}
