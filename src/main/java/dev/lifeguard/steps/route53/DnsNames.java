package dev.lifeguard.steps.route53;

import dev.lifeguard.event.Identifiers;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validation and normal forms for what the Route53 steps send and compare. Names come from
 * profile templates filled with event values, so they are checked here before they reach an
 * API call, and compared in one canonical form (lower case, trailing dot) because Route53
 * answers with a trailing dot and DNS names are case-insensitive.
 */
final class DnsNames {
    private static final String ZONE_PREFIX = "/hostedzone/";
    private static final Pattern ZONE_ID = Pattern.compile("[A-Z0-9]{1,32}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_-]{1,63}");
    private static final int MAX_NAME = 253;
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private DnsNames() {
    }

    /**
     * The bare hosted zone id. ListHostedZones and the console show {@code /hostedzone/Z123}, but
     * the API paths take the bare id: the SDK would otherwise send {@code /hostedzone//hostedzone/…}.
     */
    static String zoneId(String raw) {
        String id = raw == null ? "" : raw.strip();
        if (id.startsWith(ZONE_PREFIX)) {
            id = id.substring(ZONE_PREFIX.length());
        }
        if (!ZONE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a Route53 hosted zone id (letters A-Z and digits): " + quote(raw));
        }
        return id;
    }

    /** A validated DNS name in canonical form; {@code what} names the setting for the error. */
    static String hostName(String what, String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
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
            throw new IllegalArgumentException(what + " is not a DNS name (labels of letters, digits, '-' and '_', at most "
                    + MAX_NAME + " characters): " + quote(raw));
        }
        return canonical(name);
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
