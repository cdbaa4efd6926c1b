package dev.lifeguard.steps.route53;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.ToolValues;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.route53.model.InvalidArgumentException;
import software.amazon.awssdk.services.route53.model.InvalidInputException;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/**
 * Checks and normal forms for what the Route53 steps send and compare. Names come from profile
 * templates filled with event values (a group name may hold spaces or '$'), so they are checked
 * here, for DNS, before they reach an API call; a value that is not fails the step permanently
 * ({@link PermanentStepException}), naming it and the rule. Names are compared in one canonical
 * form (lower case, trailing dot) because Route53 answers with a trailing dot and DNS names are
 * case-insensitive.
 */
final class DnsNames {
    private static final String ZONE_PREFIX = "/hostedzone/";
    private static final Pattern ZONE_ID = Pattern.compile("[A-Z0-9]{1,32}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_-]{1,63}");
    private static final int MAX_NAME = 253;
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    static final String NAME_RULE = "labels of letters, digits, '-' and '_' (for service records), at most 63 characters"
            + " each and " + MAX_NAME + " in all, one dot between labels";

    private DnsNames() {
    }

    /**
     * The bare hosted zone id. ListHostedZones and the console show {@code /hostedzone/Z123}, but
     * the API paths take the bare id: the SDK would otherwise send {@code /hostedzone//hostedzone/…}.
     */
    static String zoneId(String step, String raw) {
        String id = raw == null ? "" : raw.strip();
        if (id.startsWith(ZONE_PREFIX)) {
            id = id.substring(ZONE_PREFIX.length());
        }
        if (!ZONE_ID.matcher(id).matches()) {
            throw ToolValues.unsafe(step, "hosted zone id", raw, "a Route53 hosted zone id",
                    "a bare id of 1 to 32 upper-case letters and digits, optionally after /hostedzone/");
        }
        return id;
    }

    /**
     * A checked DNS name in canonical form.
     *
     * @param what what the name is, for the error ("record name", "CNAME value")
     * @throws PermanentStepException when {@code raw} is not a DNS name
     */
    static String hostName(String step, String what, String raw) {
        if (raw == null || raw.isEmpty()) {
            throw ToolValues.unsafe(step, what, raw, "a DNS name", "it is empty");
        }
        String name = raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        // -1 keeps empty labels ("a..b", ".a") so that they are refused instead of dropped.
        boolean valid = !name.isEmpty() && name.length() <= MAX_NAME;
        if (valid) {
            for (String label : name.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    valid = false;
                    break;
                }
            }
        }
        if (!valid) {
            throw ToolValues.unsafe(step, what, raw, "a DNS name", NAME_RULE);
        }
        return canonical(name);
    }

    /**
     * Makes one Route53 call. Answers no retry can change fail the step permanently, with AWS's
     * message: a hosted zone that does not exist, input Route53 calls invalid, access denied.
     * Throttling, PriorRequestNotComplete, server errors and a change batch that no longer
     * matches the zone stay ordinary failures, which the next attempt retries.
     */
    static <T> T call(String step, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (Route53Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            boolean permanent = e instanceof NoSuchHostedZoneException || e instanceof InvalidInputException
                    || e instanceof InvalidArgumentException || e.statusCode() == 403
                    || code != null && (code.equals("AccessDenied") || code.equals("AccessDeniedException"));
            if (!permanent) {
                throw e;
            }
            String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                    ? e.awsErrorDetails().errorMessage() : e.getMessage();
            throw new PermanentStepException(step + ": Route53 refused " + what + " (" + (code == null ? e.statusCode() : code)
                    + "): " + message, e);
        }
    }

    /** Canonical form of a name read from Route53, for comparison only (no validation). */
    static String canonical(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    static boolean isIpv4(String value) {
        return value != null && IPV4.matcher(value).matches();
    }

    /**
     * The canonical text of an IPv6 literal, or null. AAAA values may be written with or
     * without zero compression, so they are compared as addresses, not as strings. The
     * character check comes first because InetAddress resolves anything that is not a literal.
     */
    static String ipv6(String value) {
        if (value == null || !value.contains(":") || !IPV6_CHARS.matcher(value).matches()) {
            return null;
        }
        try {
            java.net.InetAddress address = java.net.InetAddress.getByName(value);
            return address instanceof java.net.Inet6Address ? address.getHostAddress() : null;
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    static String quote(String value) {
        return Identifiers.quote(value);
    }
}
