package dev.lifeguard.intake;

import dev.lifeguard.MisconfiguredException;
import dev.lifeguard.aws.QueueAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.builder.RouteBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The queues this service reads, each with its own dead-letter queue: {@code lifeguard.queue}
 * first, then {@code lifeguard.more-queues}. Each gets its own route from the {@code sqs-intake}
 * template in routes/intake.camel.yaml, so a queue's consumers, and what ends up in its
 * dead-letter queue, are its own.
 */
public final class IntakeQueues {
    /** The route template in routes/intake.camel.yaml. */
    static final String TEMPLATE = "sqs-intake";
    /** An SQS queue URL in AWS: https://sqs.REGION.amazonaws.com[.cn]/ACCOUNT/NAME. */
    private static final Pattern AWS_QUEUE_URL = Pattern.compile("https://sqs\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?/.*");

    /** One queue read: the route reading it, the queue and its dead-letter queue. */
    public record IntakeQueue(String routeId, QueueAddress queue, QueueAddress deadLetters) {
    }

    private final List<IntakeQueue> queues;

    private IntakeQueues(List<IntakeQueue> queues) {
        this.queues = List.copyOf(queues);
    }

    /**
     * Resolves every queue and dead-letter queue (names become URLs), so that a typo stops
     * start-up naming the setting to fix.
     *
     * @param region the region of this service's SQS client: a queue URL of another region
     *               would be asked for at the wrong endpoint
     * @param main   the main queue and its dead-letter queue, names or URLs, with the settings naming them
     * @param more   more queues → their dead-letter queues, names or URLs, with the setting naming them
     */
    public static IntakeQueues resolve(SqsClient sqs, String region, Named main, Named more) {
        List<IntakeQueue> resolved = new ArrayList<>();
        Set<String> urls = new HashSet<>();
        Set<String> routeIds = new HashSet<>();
        for (Named named : List.of(main, more)) {
            for (Map.Entry<String, String> pair : named.queues().entrySet()) {
                QueueAddress queue = inRegion(QueueAddress.resolve(sqs, pair.getKey(), named.queueSetting()), region,
                        named.queueSetting());
                QueueAddress deadLetters = inRegion(QueueAddress.resolve(sqs, pair.getValue(), named.deadLetterSetting()), region,
                        named.deadLetterSetting());
                if (!urls.add(queue.url())) {
                    throw new MisconfiguredException(named.queueSetting() + ": " + queue.url() + " is read twice (named once"
                            + " by its name and once by its URL?)");
                }
                String routeId = resolved.isEmpty() ? TEMPLATE : TEMPLATE + "-" + kebab(queue.name());
                for (int n = 2; !routeIds.add(routeId); n++) {
                    routeId = TEMPLATE + "-" + kebab(queue.name()) + "-" + n;
                }
                resolved.add(new IntakeQueue(routeId, queue, deadLetters));
            }
        }
        for (IntakeQueue q : resolved) {
            if (urls.contains(q.deadLetters().url())) {
                throw new MisconfiguredException(q.deadLetters().url() + " is read as an intake queue, so it cannot be the"
                        + " dead-letter queue of " + q.queue().name() + " too (a queue read is never a dead-letter queue:"
                        + " its refusals would come back in)");
            }
        }
        return new IntakeQueues(resolved);
    }

    /** Queues (queue → its dead-letter queue, names or URLs) and the settings that name them, for messages. */
    public record Named(Map<String, String> queues, String queueSetting, String deadLetterSetting) {
    }

    /** Every queue read, the main one first. */
    public List<IntakeQueue> all() {
        return queues;
    }

    /** The queues' names, for messages: {@code [lifeguard-intake, team-b]}. */
    public List<String> names() {
        return queues.stream().map(q -> q.queue().name()).toList();
    }

    /** For the start-up line: each queue's URL and its dead-letter queue's. */
    public String describe() {
        return queues.stream().map(q -> q.queue().url() + " (dead letters to " + q.deadLetters().url() + ")").toList().toString();
    }

    /** Each queue's dead-letter queue, by the queue's URL (where {@link FailureHandler} sends a message it gives up on). */
    public Map<String, DeadLetterQueue> deadLetterQueues(SqsClient sqs) {
        Map<String, DeadLetterQueue> byQueue = new LinkedHashMap<>();
        queues.forEach(q -> byQueue.put(q.queue().url(), new DeadLetterQueue(sqs, q.deadLetters().url())));
        return byQueue;
    }

    /** One route per queue from the {@code sqs-intake} template, added once the route files are loaded. */
    public RouteBuilder routes() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                for (IntakeQueue q : queues) {
                    templatedRoute(TEMPLATE).routeId(q.routeId())
                            .parameter("queueName", q.queue().name())
                            .parameter("queueUrl", q.queue().url());
                }
            }
        };
    }

    private static QueueAddress inRegion(QueueAddress queue, String region, String setting) {
        Matcher aws = AWS_QUEUE_URL.matcher(queue.url());
        if (aws.matches() && !aws.group(1).equals(region)) {
            throw new MisconfiguredException(setting + ": queue " + queue.url() + " is in " + aws.group(1) + ", not in this"
                    + " service's region " + region + "; forward that region's events to a queue here (see the member"
                    + " template's rule) or run Lifeguard in that region");
        }
        return queue;
    }

    /** Route ids are kebab-case: a queue name's letters in lower case, anything else a dash. */
    private static String kebab(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    }}
