package dev.lifeguard.metrics;

import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.IgnoredEvent;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What Lifeguard counts, on the registry that Camel's metrics endpoint serves
 * ({@code /observe/metrics}, Prometheus text). Labels stay few and bounded: kinds, results,
 * step types and statuses are fixed sets. Group names are chosen by operators, so they become
 * a label only when {@code lifeguard.metrics.group-label} is true; instance ids never do.
 */
public final class LifeguardMetrics {
    private final MeterRegistry registry;
    private final boolean groupLabel;
    private final boolean accountLabel;

    public LifeguardMetrics(MeterRegistry registry, boolean groupLabel) {
        this(registry, groupLabel, false);
    }

    /**
     * @param groupLabel   label event and completion metrics with the group ({@code lifeguard.metrics.group-label})
     * @param accountLabel and with the account and region ({@code lifeguard.metrics.account-label})
     */
    public LifeguardMetrics(MeterRegistry registry, boolean groupLabel, boolean accountLabel) {
        this.accountLabel = accountLabel;
        this.registry = registry;
        this.groupLabel = groupLabel;
    }

    /** Metrics kept in memory and shown nowhere: for code run without the service around it. */
    public static LifeguardMetrics none() {
        return new LifeguardMetrics(new SimpleMeterRegistry(), false);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** An attempt at an event ended: {@code lifeguard_events_total{kind, result}}; RETRYING is also a retry. */
    public void eventEnded(Kind kind, Outcome result, String group, AccountRegion where) {
        counter("lifeguard.events", "Attempts at events that ended, by kind and result",
                withPlace(withGroup(Tags.of("kind", kind.name(), "result", result.name()), group), where)).increment();
        if (result == Outcome.RETRYING) {
            retried("attempt");
        }
    }

    /**
     * A hook was completed: {@code lifeguard_completions_total{result}} (CONTINUE or ABANDON; NOT_ACTIVE
     * when Auto Scaling had ended the action already).
     */
    public void hookCompleted(HookResult result, String group, AccountRegion where) {
        if (result == null) {
            return; // no completion was asked for
        }
        counter("lifeguard.completions", "Lifecycle actions completed, by result",
                withPlace(withGroup(Tags.of("result", result.name()), group), where)).increment();
    }

    /** A step ended: {@code lifeguard_steps_seconds{type, status}} (count and duration). */
    public void stepEnded(String type, String status, Duration took) {
        Timer.builder("lifeguard.steps").description("Step runs, by step type and how they ended")
                .tags("type", type, "status", status).register(registry).record(took);
    }

    /** {@code lifeguard_heartbeats_total{outcome}}: sent, or failed (retried with backoff). */
    public void heartbeat(boolean sent) {
        counter("lifeguard.heartbeats", "Lifecycle action heartbeats, sent or failed",
                Tags.of("outcome", sent ? "sent" : "failed")).increment();
    }

    /** {@code lifeguard_dead_letters_total{reason}}: refused (unreadable or hostile) or gave-up. */
    public void deadLettered(String reason) {
        counter("lifeguard.dead.letters", "Messages sent to the dead-letter queue, by reason class",
                Tags.of("reason", reason)).increment();
    }

    /**
     * {@code lifeguard_ignored_total{type}}: Auto Scaling events acknowledged without acting on
     * them. The type is a detail-type AWS documents for {@code aws.autoscaling}, or {@code other}
     * for any other name, so the label stays a bounded set.
     */
    public void ignored(String eventName) {
        counter("lifeguard.ignored", "Auto Scaling events acknowledged and recorded without acting on them, by type",
                Tags.of("type", IgnoredEvent.label(eventName))).increment();
    }

    /**
     * {@code lifeguard_refusals_total{reason}}: events AWS did not confirm (a hook's instance not
     * waiting in its group, a token not live, cleanup of something alive), by a bounded reason.
     */
    public void refused(String reason) {
        counter("lifeguard.refusals", "Events refused because AWS did not confirm what they say, by reason",
                Tags.of("reason", reason)).increment();
    }

    /**
     * {@code lifeguard_command_statuses_total{outcome}}: SSM status events, by what became of them
     * (looked-at, noted, under-way, ended-already, ignored).
     */
    public void commandStatus(String outcome) {
        counter("lifeguard.command.statuses", "SSM command status events taken from the queue, by what became of them",
                Tags.of("outcome", outcome)).increment();
    }

    /** {@code lifeguard_takeovers_total}: claims taken over from a worker whose lease ran out. */
    public void tookOver() {
        counter("lifeguard.takeovers", "Claims taken over from a worker whose lease ran out", Tags.empty()).increment();
    }

    /** {@code lifeguard_retries_total{stage}}: an attempt left for a later delivery, or a finish tried again. */
    public void retried(String stage) {
        counter("lifeguard.retries", "Retries, by stage: attempt (the event comes back) or finish (tried again in place)",
                Tags.of("stage", stage)).increment();
    }

    /** {@code lifeguard_profiles_edits_total{outcome}}: an edit of the profiles file loaded, or rejected (the previous stay). */
    public void profilesEdited(boolean loaded) {
        counter("lifeguard.profiles.edits", "Edits of the profiles file, loaded or rejected",
                Tags.of("outcome", loaded ? "loaded" : "rejected")).increment();
    }

    /** {@code lifeguard_notifications_total{target, outcome}}: sns or webhook; sent, failed or dropped (over the rate limit). */
    public void notification(String target, String outcome) {
        counter("lifeguard.notifications", "Notifications, by target (sns, webhook) and outcome (sent, failed, dropped)",
                Tags.of("target", target, "outcome", outcome)).increment();
    }

    /** Gauges read when scraped: events held (in flight) and waiting steps parked. */
    public void watch(Supplier<Number> inFlight, Supplier<Number> parked) {
        Gauge.builder("lifeguard.events.in.flight", inFlight).description("Events held by this worker: claimed, hidden and heartbeated")
                .register(registry);
        Gauge.builder("lifeguard.steps.parked", parked).description("Waiting steps (SSM commands) parked until their command ends")
                .register(registry);
    }

    private Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    /** {@code account} and {@code region}, when asked for; {@code unknown} for what an event does not say. */
    private Tags withPlace(Tags tags, AccountRegion where) {
        return accountLabel ? tags.and("account", String.valueOf(where.account() == null ? "unknown" : where.account()),
                "region", String.valueOf(where.region() == null ? "unknown" : where.region())) : tags;
    }

    private Tags withGroup(Tags tags, String group) {
        return groupLabel && group != null ? tags.and("group", group) : tags;
    }
}
