package dev.lifeguard.steps;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A step's settings as written in the profile, with typed reads whose errors name the step and
 * the key. Values are plain YAML scalars, lists of scalars, or maps of scalars.
 */
public record StepConfig(String stepName, Map<String, Object> values) {

    public String string(String key) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("step " + stepName + ": '" + key + "' is required");
        }
        return value.toString();
    }

    public String string(String key, String fallback) {
        Object value = values.get(key);
        return value == null ? fallback : value.toString();
    }

    public boolean bool(String key, boolean fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("step " + stepName + ": '" + key + "' must be true or false, not '" + value + "'");
    }

    /** Durations as seconds ({@code 600}) or ISO-8601 ({@code PT10M}). */
    public Duration duration(String key, Duration fallback) {
        Object value = values.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Number n) {
            return Duration.ofSeconds(n.longValue());
        }
        try {
            return Duration.parse(value.toString());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("step " + stepName + ": '" + key + "' must be seconds or an ISO-8601 duration, not '" + value + "'");
        }
    }

    /** A {@link #duration} that must be more than zero (a timeout, a poll interval). */
    public Duration positiveDuration(String key, Duration fallback) {
        Duration value = duration(key, fallback);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("step " + stepName + ": '" + key + "' must be positive, not " + value);
        }
        return value;
    }

    public List<String> strings(String key) {
        Object value = values.get(key);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return List.of(value.toString());
    }

    /** A map of string lists, such as SSM parameters: {@code commands: [..]}. */
    @SuppressWarnings("unchecked")
    public Map<String, List<String>> stringLists(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("step " + stepName + ": '" + key + "' must be a map");
        }
        Map<String, List<String>> result = new java.util.LinkedHashMap<>();
        ((Map<String, Object>) map).forEach((k, v) -> result.put(k,
                v instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(String.valueOf(v))));
        return result;
    }
}
