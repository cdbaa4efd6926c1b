package dev.lifeguard.event;

import java.util.regex.Pattern;

/**
 * Strict patterns for every identifier taken from a message. Values end up as arguments of
 * knife, salt and AWS calls, so anything outside these patterns is refused rather than escaped.
 */
public final class Identifiers {
    private static final Pattern INSTANCE_ID = Pattern.compile("i-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    /** Stricter than Auto Scaling itself allows: no spaces, quotes or shell metacharacters. */
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    private static final Pattern HOOK_NAME = Pattern.compile("[A-Za-z0-9_/-]{1,255}");
    private static final Pattern ACTION_TOKEN =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** A DNS host name or Chef node name: labels of letters, digits and hyphens, dots between. */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}");

    private Identifiers() {
    }

    public static String instanceId(String field, String value) {
        return require(field, value, INSTANCE_ID, "an EC2 instance id (i- followed by 8 or 17 hex digits)");
    }

    public static String groupName(String field, String value) {
        return require(field, value, GROUP_NAME, "an Auto Scaling group name of letters, digits, '.', '_' and '-'");
    }

    public static String hookName(String field, String value) {
        return require(field, value, HOOK_NAME, "a lifecycle hook name of letters, digits, '_', '-' and '/'");
    }

    public static String actionToken(String field, String value) {
        return require(field, value, ACTION_TOKEN, "a lifecycle action token (a UUID)");
    }

    public static String requestId(String field, String value) {
        return require(field, value, REQUEST_ID, "an id of letters, digits, '_' and '-'");
    }

    public static String nodeName(String field, String value) {
        return require(field, value, NODE_NAME, "a host or node name of letters, digits, '.', '_' and '-'");
    }

    public static String ipAddress(String field, String value) {
        if (value != null && IPV6.matcher(value).matches() && value.contains(":") && isIpv6(value)) {
            return value;
        }
        return require(field, value, IPV4, "an IPv4 or IPv6 address");
    }

    private static boolean isIpv6(String value) {
        try {
            // A literal made only of hex digits and colons is parsed without any DNS lookup.
            return java.net.InetAddress.getByName(value) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static String require(String field, String value, Pattern pattern, String expected) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new RefusedMessageException(field + " is not " + expected + ": " + quote(value));
        }
        return value;
    }

    /** Quotes a refused value for a log line: bounded in length, control characters made visible. */
    public static String quote(String value) {
        if (value == null) {
            return "missing";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }
}
