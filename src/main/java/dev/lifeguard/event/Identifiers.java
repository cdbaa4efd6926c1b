package dev.lifeguard.event;

import java.util.regex.Pattern;

/**
 * The checks intake applies to identifiers taken from a message. Intake checks AWS's own
 * documented patterns, never stricter ones: an event Auto Scaling can send is a valid event, so
 * a group may be called {@code web servers}, {@code prod$green} or {@code batch *}. A value
 * outside its pattern means the body is not a readable Auto Scaling event, and it is refused
 * ({@link RefusedMessageException}) to the dead-letter queue.
 *
 * <p>Passing these checks does not make a value safe for any tool. Each step checks what it
 * passes on for the tool it feeds (a Salt target, a Chef node name, a DNS name, a shell
 * script's text) and fails itself permanently, naming the value and the rule, when a value is
 * unsafe there. The ids AWS documents as UUIDs (RequestId, EventBridge id, SNS and SQS
 * MessageId, action token) and the cleanup request's NodeName and IpAddress, which are
 * Lifeguard's own format, keep their narrow patterns.
 */
public final class Identifiers {
    private static final Pattern INSTANCE_ID = Pattern.compile("i-(?:[0-9a-f]{8}|[0-9a-f]{17})");
    /** AutoScalingGroupName is 1 to 255 characters, counted in UTF-16 code units as the API counts them. */
    static final int MAX_GROUP_NAME = 255;
    private static final Pattern HOOK_NAME = Pattern.compile("[A-Za-z0-9_/-]{1,255}");
    private static final Pattern ACTION_TOKEN =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");
    /** A DNS host name or Chef node name: labels of letters, digits and hyphens, dots between. */
    private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252}[A-Za-z0-9])?");
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern EVENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 :_.()/-]{0,127}");
    private static final Pattern AUTOSCALING_EVENT = Pattern.compile("autoscaling:[A-Z0-9_]{1,64}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]{2,39}");
    /** SSM's CommandId: a UUID, 36 characters. */
    private static final Pattern COMMAND_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** SSM's DocumentName pattern, plus ':' and '/' for a shared document given by ARN. */
    private static final Pattern DOCUMENT_NAME = Pattern.compile("[A-Za-z0-9_.:/-]{3,128}");
    /** An SSM command invocation status: a word such as Success, InProgress, TimedOut. */
    /** AWS account ids are twelve digits (ARN account field, EventBridge {@code account}, a hook's {@code AccountId}). */
    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9]{12}");
    /**
     * Region codes as AWS names them: a partition or area prefix of two to four letters, words, and a
     * number ({@code us-east-1}, {@code us-gov-west-1}, {@code cn-north-1}, {@code eusc-de-east-1}).
     */
    private static final Pattern REGION = Pattern.compile("[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern COMMAND_STATUS = Pattern.compile("[A-Za-z]{1,32}");

    private Identifiers() {
    }

    public static boolean isInstanceId(String value) {
        return value != null && INSTANCE_ID.matcher(value).matches();
    }

    public static String instanceId(String field, String value) {
        return require(field, value, INSTANCE_ID, "an EC2 instance id (i- followed by 8 or 17 hex digits)");
    }

    /**
     * Checks an Auto Scaling group name against AWS's documented pattern for
     * AutoScalingGroupName: 1 to 255 characters (UTF-16 code units, as the API counts them), each
     * in U+0020–U+D7FF, U+E000–U+FFFD or U+10000–U+10FFFF (a surrogate pair), or a tab, CR or
     * LF. That excludes only the other control characters, U+FFFE, U+FFFF and unpaired
     * surrogates. Spaces, {@code $}, {@code *}, quotes and {@code :} (which only the console
     * forbids) are all valid, so the name is safe for no tool: steps check what they derive
     * from it for the tool they feed.
     */
    public static String groupName(String field, String value) {
        if (!isGroupName(value)) {
            String length = value == null || value.length() <= MAX_GROUP_NAME ? "" : " (it has " + value.length() + ")";
            throw new RefusedMessageException(field + " is not an Auto Scaling group name (AWS allows 1 to " + MAX_GROUP_NAME
                    + " characters" + length + ", none of them a control character other than tab, CR and LF, nor an unpaired"
                    + " surrogate): " + quote(value));
        }
        return value;
    }

    /** Whether a value is a group name AWS accepts; see {@link #groupName}. */
    public static boolean isGroupName(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_GROUP_NAME) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                // A pair stands for one character above U+FFFF, which the pattern allows.
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return false;
            }
            boolean allowed = c == '\t' || c == '\n' || c == '\r'
                    || c >= '\u0020' && c <= '\uD7FF'
                    || c >= '\uE000' && c <= '\uFFFD';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    public static String hookName(String field, String value) {
        return require(field, value, HOOK_NAME, "a lifecycle hook name of letters, digits, '_', '-' and '/'");
    }

    public static String actionToken(String field, String value) {
        return require(field, value, ACTION_TOKEN, "a lifecycle action token (a UUID)");
    }

    /** Where a lifecycle hook says an instance comes from or goes to: AWS documents these three values. */
    public static final java.util.List<String> LOCATIONS = java.util.List.of("EC2", "AutoScalingGroup", "WarmPool");

    /**
     * Checks a hook's optional {@code Origin} or {@code Destination} against the values AWS
     * documents ({@code EC2}, {@code AutoScalingGroup}, {@code WarmPool}).
     *
     * @return the value, or null when it is absent
     */
    public static String location(String field, String value) {
        if (value == null) {
            return null;
        }
        if (!LOCATIONS.contains(value)) {
            throw new RefusedMessageException(field + " is not one of " + String.join(", ", LOCATIONS) + ": " + quote(value));
        }
        return value;
    }

    /**
     * An Auto Scaling event name Lifeguard does not act on, kept for the record: an EventBridge
     * detail-type (words such as {@code EC2 Auto Scaling Instance Refresh Started}) or a
     * notification's {@code Event} ({@code autoscaling:} and capitals, digits and underscores).
     */
    public static String eventName(String field, String value) {
        return require(field, value, EVENT_NAME, "an Auto Scaling event name (up to 128 letters, digits, spaces and ':_.()/-')");
    }

    /** Whether a notification's {@code Event} has the form of Auto Scaling's own: {@code autoscaling:EC2_INSTANCE_LAUNCH}. */
    public static boolean isAutoScalingEvent(String value) {
        return value != null && AUTOSCALING_EVENT.matcher(value).matches();
    }

    public static String requestId(String field, String value) {
        return require(field, value, REQUEST_ID, "an id of letters, digits, '_' and '-'");
    }

    public static String accountId(String field, String value) {
        return require(field, value, ACCOUNT_ID, "an AWS account id (12 digits)");
    }

    public static boolean isAccountId(String value) {
        return value != null && ACCOUNT_ID.matcher(value).matches();
    }

    public static boolean isRegion(String value) {
        return value != null && REGION.matcher(value).matches();
    }

    public static String region(String field, String value) {
        return require(field, value, REGION, "an AWS region code (such as us-east-1)");
    }

    public static String commandId(String field, String value) {
        return require(field, value, COMMAND_ID, "an SSM command id (a UUID)");
    }

    public static String documentName(String field, String value) {
        return require(field, value, DOCUMENT_NAME, "an SSM document name");
    }

    public static String commandStatus(String field, String value) {
        return require(field, value, COMMAND_STATUS, "an SSM command status");
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

    /**
     * Quotes a value for a log line or an error message: bounded to 80 characters, with control
     * and format characters, line and paragraph separators and unpaired surrogates written as
     * backslash-u escapes, and {@code "} and backslash escaped with a backslash, so that a value
     * can neither break a log line nor pass for the text around it.
     */
    public static String quote(String value) {
        return quoted(value, false);
    }

    /**
     * A value as it appears in a log line: as it is when it is plain printable ASCII without
     * spaces or quotes, else in double quotes, bounded to 80 characters like {@link #quote}, with
     * CR, LF and tab written {@code \r}, {@code \n} and {@code \t}, every other control or
     * format character, line or paragraph separator and unpaired surrogate as a backslash-u
     * escape (<code>&#92;u0000</code>, <code>&#92;u2028</code>), and {@code "} and backslash
     * escaped with a backslash: a group name such as {@code web<CR><LF>FAKE LOG LINE} can never
     * start a line of its own.
     */
    public static String forLog(String value) {
        if (value != null && !value.isEmpty() && value.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
            return value;
        }
        return quoted(value, true);
    }

    /** @param shortEscapes CR, LF and tab as {@code \r}, {@code \n}, {@code \t} rather than backslash-u escapes */
    private static String quoted(String value, boolean shortEscapes) {
        if (value == null) {
            return "missing";
        }
        int codePoints = value.codePointCount(0, value.length());
        String shown = codePoints > 80 ? value.substring(0, value.offsetByCodePoints(0, 80)) : value;
        StringBuilder out = new StringBuilder("\"");
        shown.codePoints().forEach(c -> {
            if (shortEscapes && (c == '\r' || c == '\n' || c == '\t')) {
                out.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : "\\t");
            } else if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (isInvisible(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(codePoints > 80 ? "…" : "").append('"').toString();
    }

    private static boolean isInvisible(int c) {
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.UNASSIGNED, Character.PRIVATE_USE -> true;
            default -> false;
        };
    }
}
