package dev.lifeguard.profiles;

import dev.lifeguard.event.Outcome;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One notification a profile sends when an event of a kind ends: where to ({@code sns}, a topic
 * ARN, or {@code webhook}, an https URL), the message template, at most how many per minute go to
 * that target, how long a message may be, and for which results.
 */
public record NotifySpec(Target target, String destination, String message, int perMinute, int maxLength,
                         Set<Outcome> results) {

    public enum Target {
        SNS, WEBHOOK;

        /** The metric label and profile key: {@code sns} or {@code webhook}. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The settings a notification takes in a profile, besides {@code sns} or {@code webhook}. */
    /** The verdict's placeholders a notification's message may use, besides the event's. */
    public static final Set<String> PLACEHOLDERS = Set.of("kind", "result", "hookResult", "outcome", "summary", "error");
    /** Placeholders that need EC2's facts, which the verdict does not carry. */
    public static final Set<String> UNAVAILABLE = Set.of("privateIp", "publicIp", "privateDns", "publicDns", "name");
    public static final Set<String> SETTINGS = Set.of("sns", "webhook", "message", "per-minute", "max-length", "results");
    /** Verdict results a notification may be sent for. */
    public static final List<Outcome> RESULTS = List.of(Outcome.SUCCEEDED, Outcome.GAVE_UP, Outcome.REFUSED, Outcome.RETRYING);
    /** Sent for these unless {@code results} says otherwise: a retry is not news yet. */
    public static final Set<Outcome> DEFAULT_RESULTS = Set.of(Outcome.SUCCEEDED, Outcome.GAVE_UP, Outcome.REFUSED);
    public static final String DEFAULT_MESSAGE = "Lifeguard: {kind} of {instanceId} in {group}: {outcome}. {summary}";
    public static final int DEFAULT_PER_MINUTE = 30;
    public static final int DEFAULT_MAX_LENGTH = 1000;
    /** SNS takes messages up to 256 KiB (UTF-8 bytes). */
    public static final int SNS_MAX_BYTES = 256 * 1024;
    /** Chat services cut long texts anyway (Slack at 40,000 characters). */
    public static final int WEBHOOK_MAX_LENGTH = 40_000;
    public static final int MAX_PER_MINUTE = 600;

    /**
     * A standard SNS topic's ARN, by AWS's rules: a partition ({@code aws}, {@code aws-cn},
     * {@code aws-us-gov}, …), a region, a 12-digit account and a topic name of 1 to 256
     * letters, digits, hyphens and underscores. FIFO topics ({@code .fifo}) need a message group
     * id per message and are not supported.
     */
    public static final Pattern TOPIC_ARN = Pattern.compile("arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\\d+:\\d{12}:[A-Za-z0-9_-]{1,256}");

    /** Why {@code arn} cannot be a notification's topic, or null. */
    public static String topicProblem(String arn) {
        if (arn == null || arn.isBlank()) {
            return "sns needs a topic ARN";
        }
        if (arn.endsWith(".fifo")) {
            return "'" + arn + "' is a FIFO topic; notifications go to standard topics";
        }
        if (!TOPIC_ARN.matcher(arn).matches()) {
            return "'" + arn + "' is not an SNS topic ARN (arn:aws:sns:<region>:<12-digit account>:<name of 1 to 256 letters,"
                    + " digits, '-' and '_'>)";
        }
        return null;
    }

    /**
     * Why {@code url} cannot be a webhook, or null: it must be an absolute https URL; plain http
     * only to this machine (127.0.0.1, ::1, localhost), for a local relay or a test. The URL is
     * not repeated, since a chat webhook's URL is its secret.
     */
    public static String webhookProblem(String url) {
        if (url == null || url.isBlank()) {
            return "webhook needs an https URL";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            return "the webhook is not a URL";
        }
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || uri.getRawUserInfo() != null) {
            return "the webhook must be an absolute https URL with a host and no user:password part";
        }
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return null;
        }
        if ("http".equalsIgnoreCase(uri.getScheme()) && isLoopback(host)) {
            return null;
        }
        return "the webhook must use https (plain http only to 127.0.0.1, [::1] or localhost), not " + uri.getScheme();
    }

    private static boolean isLoopback(String host) {
        return host.equals("127.0.0.1") || host.equals("[::1]") || host.equalsIgnoreCase("localhost");
    }

    /** What logs and metrics name this target by: the topic ARN, or only the webhook's host (its URL is a secret). */
    public String label() {
        return target == Target.SNS ? destination : "webhook at " + URI.create(destination).getHost();
    }

    /** The key of this target's rate limit. */
    public String limitKey() {
        return target.key() + " " + destination;
    }
}
