package dev.lifeguard.deploy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one PromQL expression names: its series (a metric name and its label matchers) and the
 * labels it groups by ({@code by}, {@code without}, {@code on}, {@code ignoring}). Enough of
 * PromQL for the dashboard's queries: string literals only inside matchers, range selectors and
 * Grafana's {@code $__} variables skipped.
 */
record PromQuery(String expression, List<Series> series, Set<String> groupedBy) {
    /** A selector: {@code name{label="value", …}}. */
    record Series(String metric, List<LabelMatch> matches) {
    }

    /** One matcher of a selector: a label, its operator ({@code =}, {@code !=}, {@code =~}, {@code !~}) and its value. */
    record LabelMatch(String label, String operator, String value) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool");
    private static final Pattern TOKEN = Pattern.compile(
            "\\s+|\\[[^\\]]*]|\\{[^}]*}|[A-Za-z_:][A-Za-z0-9_:]*|[0-9]+(?:\\.[0-9]+)?|[()+\\-*/^,%<>=!]+");
    private static final Pattern MATCHER = Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*,?");

    static PromQuery parse(String expression) {
        List<String> tokens = new ArrayList<>();
        Matcher token = TOKEN.matcher(expression);
        int at = 0;
        while (at < expression.length()) {
            if (!token.find(at) || token.start() != at) {
                throw new AssertionError("cannot read PromQL at \"" + expression.substring(at) + "\" in " + expression);
            }
            if (!token.group().isBlank()) {
                tokens.add(token.group());
            }
            at = token.end();
        }
        List<Series> series = new ArrayList<>();
        Set<String> groupedBy = new LinkedHashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            String current = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            if (GROUPING.contains(current) && next.equals("(")) {
                for (i += 2; !tokens.get(i).equals(")"); i++) {
                    if (!tokens.get(i).equals(",")) {
                        groupedBy.add(tokens.get(i));
                    }
                }
            } else if (Character.isLetter(current.charAt(0)) || current.charAt(0) == '_' || current.charAt(0) == ':') {
                if (next.equals("(") || GROUPING.contains(next) || KEYWORDS.contains(current)) {
                    continue; // a function, an aggregation (sum by (…) (…)), or an operator spelt as a word
                }
                series.add(new Series(current, next.startsWith("{") ? matches(next, expression) : List.of()));
            } else if (current.startsWith("{")) {
                if (i == 0 || !tokens.get(i - 1).matches("[A-Za-z_:][A-Za-z0-9_:]*")) {
                    throw new AssertionError("a selector without a metric name: " + expression);
                }
            }
        }
        return new PromQuery(expression, series, groupedBy);
    }

    private static List<LabelMatch> matches(String braces, String expression) {
        String inside = braces.substring(1, braces.length() - 1);
        List<LabelMatch> out = new ArrayList<>();
        Matcher matcher = MATCHER.matcher(inside);
        int at = 0;
        while (at < inside.length() && !inside.substring(at).isBlank()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new AssertionError("cannot read the matchers " + braces + " in " + expression);
            }
            out.add(new LabelMatch(matcher.group(1), matcher.group(2), matcher.group(3)));
            at = matcher.end();
        }
        return out;
    }
}
