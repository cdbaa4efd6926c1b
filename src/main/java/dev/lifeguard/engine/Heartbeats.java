package dev.lifeguard.engine;

import dev.lifeguard.aws.HookTimeouts;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.log.EventContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every held lifecycle hook alive from one place. Each hook is beaten at a third of its own
 * heartbeat timeout (DescribeLifecycleHooks, asked once per group and hook), never less often
 * than {@code lifeguard.hook.heartbeat-seconds}, so ten thousand waiting hooks cost a handful of
 * calls per second. A heartbeat that fails (throttled, Auto Scaling unreachable) is retried
 * with backoff and never fails the event: the next one still lands well inside the timeout.
 */
final class Heartbeats {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration LOG_EVERY = Duration.ofSeconds(30);

    private final LifecycleActions lifecycleActions;
    private final Duration maxGap;
    private final UrgentFirst senders;
    private final Clock clock;
    /** Each hook's timeouts, asked once per account, region, group and hook; empty when Auto Scaling could not say. */
    private final Map<String, Optional<HookTimeouts>> timeouts = new ConcurrentHashMap<>();
    private final Map<String, Beat> held = new ConcurrentHashMap<>();
    private volatile Instant lastFailureLog = Instant.EPOCH;

    private static final class Beat {
        final String key;
        final LifecycleEvent event;
        final Duration gap;
        volatile Instant due;
        volatile int failures;
        /** For the ledger: beats accepted or tried (the confirming one first), and the last one's time and result. */
        volatile int sent = 1;
        volatile Instant lastAt;
        volatile String lastResult = "OK";
        /** Set while the hook's completion is being sent: a beat then would only race it and be refused. */
        volatile boolean paused;
        final AtomicBoolean sending = new AtomicBoolean();

        Beat(String key, LifecycleEvent event, Duration gap, Instant beaten) {
            this.key = key;
            this.event = event;
            this.gap = gap;
            this.due = beaten.plus(gap);
            this.lastAt = beaten;
        }
    }

    private final LifeguardMetrics metrics;

    Heartbeats(LifecycleActions lifecycleActions, Duration maxGap, UrgentFirst senders, Clock clock, LifeguardMetrics metrics) {
        this.metrics = metrics;
        this.lifecycleActions = lifecycleActions;
        this.maxGap = maxGap;
        this.senders = senders;
        this.clock = clock;
    }

    /**
     * Starts beating a hook whose confirming heartbeat was accepted at {@code beaten}; the next is
     * due one gap later. Beats are kept per event ({@code key}), not per token: a copy of a token
     * naming another instance is another event, and its end never stops the real hook's beats.
     */
    void hold(String key, LifecycleEvent hook, Instant beaten) {
        Duration gap = gap(hook);
        held.putIfAbsent(key, new Beat(key, hook, gap, beaten));
    }

    void release(String key) {
        held.remove(key);
    }

    /** No beats while the hook's completion is sent; {@link #resume} if it could not be. */
    void pause(String key) {
        Beat beat = held.get(key);
        if (beat != null) {
            beat.paused = true;
        }
    }

    void resume(String key) {
        Beat beat = held.get(key);
        if (beat != null) {
            beat.paused = false;
        }
    }

    int holding() {
        return held.size();
    }

    /**
     * What the ledger shows of a hook's heartbeats: null for an event not beaten here. The last
     * accepted beat is what Auto Scaling's heartbeat timeout counts from.
     */
    Ledger.Heartbeats view(String key) {
        Beat beat = held.get(key);
        return beat == null ? null : new Ledger.Heartbeats(beat.sent, beat.lastAt, beat.lastResult);
    }

    /** The hook's timeouts if already known here; never asks Auto Scaling. */
    HookTimeouts knownTimeouts(LifecycleEvent hook) {
        Optional<HookTimeouts> known = timeouts.get(hookKey(hook));
        return known == null ? null : known.orElse(null);
    }

    /** Called every second: sends the heartbeats that are due, on the sender threads. */
    void sendDue() {
        Instant now = clock.instant();
        for (Beat beat : held.values()) {
            if (beat.paused || beat.due.isAfter(now) || !beat.sending.compareAndSet(false, true)) {
                continue;
            }
            senders.execute(EventContext.wrap(beat.event, () -> send(beat)), beat.due);
        }
    }

    private void send(Beat beat) {
        try {
            // Queued before the hook's completion began: nothing to keep alive any more.
            if (beat.paused || held.get(beat.key) != beat) {
                return;
            }
            if (!lifecycleActions.recordHeartbeat(beat.event)) {
                if (!beat.paused && held.remove(beat.key, beat)) {
                    LOG.warn("Stopped heartbeats for {}: Auto Scaling says the action is no longer active", beat.event.describe());
                }
                return;
            }
            metrics.heartbeat(true);
            beat.sent++;
            beat.lastAt = clock.instant();
            beat.lastResult = "OK";
            beat.failures = 0;
            beat.due = clock.instant().plus(beat.gap);
        } catch (RuntimeException e) {
            metrics.heartbeat(false);
            beat.sent++;
            beat.lastResult = "FAILED: " + StepFailures.describe(e);
            beat.failures++;
            long backoff = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(5, beat.failures));
            backoff = Math.min(backoff, Math.max(1000, beat.gap.toMillis() / 2));
            beat.due = clock.instant().plusMillis(backoff);
            logFailure(beat, e);
        } finally {
            beat.sending.set(false);
        }
    }

    /** One line per failure burst, not one per hook: a throttled mass scale-in would flood the log. */
    private void logFailure(Beat beat, RuntimeException e) {
        if (Outages.isOutage(e)) {
            return; // reported once per outage by Outages
        }
        Instant now = clock.instant();
        if (lastFailureLog.plus(LOG_EVERY).isBefore(now)) {
            lastFailureLog = now;
            LOG.warn("Heartbeat for {} failed (retrying with backoff; the event goes on): {}",
                    beat.event.describe(), StepFailures.describe(e));
        }
    }

    /** How often this hook is beaten: a third of its heartbeat timeout, never less often than the setting. */
    private Duration gap(LifecycleEvent hook) {
        return timeouts.computeIfAbsent(hookKey(hook), key -> {
            try {
                return lifecycleActions.timeouts(hook);
            } catch (RuntimeException e) {
                LOG.warn("Could not read the heartbeat timeout of hook {} of group {} ({}); beating every {} s",
                        hook.hookName(), Identifiers.forLog(hook.groupName()), StepFailures.describe(e), maxGap.toSeconds());
                return Optional.empty();
            }
        }).map(known -> known.heartbeat().dividedBy(3))
                .filter(third -> third.compareTo(maxGap) < 0)
                .orElse(maxGap);
    }

    /** Groups of the same name in two accounts or regions are two groups, with their own hooks. */
    private static String hookKey(LifecycleEvent hook) {
        return hook.where() + "\n" + hook.groupName() + "\n" + hook.hookName();
    }
}
