package dev.lifeguard.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.engine.Finishing;
import dev.lifeguard.engine.Verdict;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.profiles.NotifySpec;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.Templates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a profile's notifications once an event's outcome is recorded ({@code routes/finish.camel.yaml}
 * calls {@link #after} last): a short text for a chat channel, to an SNS topic (through
 * camel-aws2-sns, {@code routes/notify.camel.yaml}) or a webhook ({@code {"text": "…"}}).
 *
 * <p>A notification never changes what happened to the event: {@link #after} only hands the
 * message to this notifier's own thread and returns; a target that fails is logged (at most once a
 * minute per target, with a count) and counted, never retried; a target sent more than its
 * {@code per-minute} is dropped and counted, and a full send queue drops too.
 */
public class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    /** Placeholders a message may use besides the steps' ones. */
    public static final Set<String> PLACEHOLDERS = NotifySpec.PLACEHOLDERS;
    static final String SNS_ROUTE = "direct:notify-sns";
    /** The exchange property routes/notify.camel.yaml takes the topic ARN from (properties never become SNS attributes). */
    public static final String TOPIC_PROPERTY = "LifeguardTopicArn";
    private static final String CUT = " …[cut]";
    private static final String MISSING = "-";
    private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
    private static final int QUEUE = 500;

    private final ProfileStore profiles;
    private final ProducerTemplate producer;
    private final HttpClient http;
    private final Executor sender;
    private final LifeguardMetrics metrics;
    private final Clock clock;
    private final RateLimits limits;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, RateLimits.Quiet> failures = new ConcurrentHashMap<>();
    private final RateLimits.Quiet queueFull = new RateLimits.Quiet();

    /** The service's notifier: one sending thread of its own, with a bounded queue. */
    public Notifier(ProfileStore profiles, ProducerTemplate producer, LifeguardMetrics metrics, Clock clock) {
        this(profiles, producer, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), sendingThread(),
                metrics, clock);
    }

    /** @param sender runs each send; tests pass {@code Runnable::run} to send on the calling thread */
    public Notifier(ProfileStore profiles, ProducerTemplate producer, HttpClient http, Executor sender,
                    LifeguardMetrics metrics, Clock clock) {
        this.profiles = profiles;
        this.producer = producer;
        this.http = http;
        this.sender = sender;
        this.metrics = metrics;
        this.clock = clock;
        this.limits = new RateLimits(clock, LOG);
    }

    private static Executor sendingThread() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), runnable -> {
            Thread thread = new Thread(runnable, "lifeguard-notify");
            thread.setDaemon(true);
            return thread;
        });
        return executor;
    }

    /**
     * The profile's notifications for this verdict's kind and result, queued to be sent. Never
     * throws: the finish route calls it after the hook is completed and the outcome recorded; not
     * when the claim was no longer ours (the worker that took it over reports).
     */
    public void after(Finishing finishing) {
        Verdict verdict = finishing.getVerdict();
        HookResult hookResult = finishing.getCompleted();
        try {
            if (finishing.isNotOurs()) {
                return;
            }
            LifecycleEvent event = verdict.event();
            String kind = event.kind().profileKey();
            List<NotifySpec> specs = profiles.current().forEvent(event).notifyFor(kind);
            for (NotifySpec spec : specs) {
                if (!spec.results().contains(verdict.result())) {
                    continue;
                }
                if (!limits.take(spec)) {
                    metrics.notification(spec.target().key(), "dropped");
                    continue;
                }
                String text = bounded(message(spec, verdict, hookResult), spec);
                try {
                    sender.execute(EventContext.wrap(event, () -> send(spec, text)));
                } catch (RejectedExecutionException e) {
                    metrics.notification(spec.target().key(), "dropped");
                    queueFull.add(clock.instant(), count -> LOG.warn(
                            "Dropped {} notification(s) in the last minute: {} were waiting to be sent", count, QUEUE));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not send the notifications of {}: {}", verdict.event().describe(), e.toString());
        }
    }

    static String message(NotifySpec spec, Verdict verdict, HookResult hookResult) {
        Map<String, String> extras = new LinkedHashMap<>();
        extras.put("kind", verdict.event().kind().profileKey());
        extras.put("result", verdict.result().name());
        extras.put("hookResult", hookResult == null ? null : hookResult.name());
        extras.put("outcome", verdict.result().name() + (hookResult == null ? "" : ", hook completed with " + hookResult.name()));
        extras.put("summary", verdict.report().summary());
        extras.put("error", verdict.error());
        return Templates.renderWith(spec.message(), verdict.event(), null, extras, MISSING);
    }

    /** The message cut to the target's bound, with a mark; SNS's bound counts UTF-8 bytes. */
    static String bounded(String text, NotifySpec spec) {
        String out = text.length() > spec.maxLength() ? cut(text, spec.maxLength()) : text;
        if (spec.target() == NotifySpec.Target.SNS) {
            int length = out.length();
            while (out.getBytes(StandardCharsets.UTF_8).length > NotifySpec.SNS_MAX_BYTES) {
                length = length * 9 / 10;
                out = cut(text, length);
            }
        }
        return out;
    }

    private static String cut(String text, int length) {
        int keep = Math.max(0, length - CUT.length());
        if (keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, keep) + CUT;
    }

    private void send(NotifySpec spec, String text) {
        String problem = spec.target() == NotifySpec.Target.SNS ? NotifySpec.topicProblem(spec.destination())
                : NotifySpec.webhookProblem(spec.destination());
        try {
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            if (spec.target() == NotifySpec.Target.SNS) {
                publish(spec.destination(), text);
            } else {
                post(spec.destination(), text);
            }
            metrics.notification(spec.target().key(), "sent");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            metrics.notification(spec.target().key(), "failed");
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            failures.computeIfAbsent(spec.limitKey(), key -> new RateLimits.Quiet()).add(clock.instant(), count -> LOG.warn(
                    "{} notification(s) to {} failed in the last minute (not retried; the events' results stand), the last: {}",
                    count, spec.label(), why));
        }
    }

    private void publish(String topicArn, String text) throws Exception {
        Exchange done = producer.send(SNS_ROUTE, exchange -> {
            exchange.getMessage().setBody(text);
            exchange.setProperty(TOPIC_PROPERTY, topicArn);
        });
        if (done.getException() != null) {
            throw done.getException();
        }
    }

    private void post(String url, String text) throws Exception {
        String body = json.writeValueAsString(Map.of("text", text));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(WEBHOOK_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 != 2) {
            // The answer's body is not logged: it may repeat the URL.
            throw new IllegalStateException("the webhook answered HTTP " + response.statusCode());
        }
    }
}
