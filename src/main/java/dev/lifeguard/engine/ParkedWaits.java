package dev.lifeguard.engine;

import dev.lifeguard.log.EventContext;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.store.CommandWaits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Waiting steps between their looks, holding no thread: each is looked at when due (every
 * {@code poll-interval}, or, when its service pushes status events, only as a fallback and when
 * such an event arrives), and once at its step's timeout. A look that finds the work ended ends
 * the step.
 */
final class ParkedWaits {
    /** A waiting step's end, reported to the step runs. */
    interface Ends {
        void ended(HeldEvent h, int index, StepResult result);
    }

    /**
     * Whether a waiting step's service pushes its status (SSM's EventBridge events reach the
     * queue), and then how often it is looked at all the same: a lost event delays an end by at
     * most that long. {@code waits} records which claim waits on which command, for a status
     * event that reaches another replica.
     */
    record StatusEvents(boolean on, Duration lookEvery, CommandWaits waits) {
    }

    private final Clock clock;
    private final Executor work;
    private final StatusEvents statusEvents;
    private final Ends ends;
    private final Set<Parked> parked = ConcurrentHashMap.newKeySet();
    /** Parked waits that status events can end, by {@link #waitKey handle and instance}. */
    private final Map<String, Parked> byWait = new ConcurrentHashMap<>();

    ParkedWaits(Clock clock, Executor work, StatusEvents statusEvents, Ends ends) {
        this.clock = clock;
        this.work = work;
        this.statusEvents = statusEvents;
        this.ends = ends;
    }

    int count() {
        return parked.size();
    }

    Iterable<Parked> all() {
        return parked;
    }

    /** Forgets the parked steps of an event that was let go. */
    void forget(HeldEvent h) {
        parked.stream().filter(p -> p.held == h).forEach(this::unpark);
    }

    /**
     * A status event says the command {@code handle} on {@code instanceId} may have ended: its
     * wait, if parked here, is looked at now. False when no wait here is on it.
     */
    boolean lookNow(String handle, String instanceId) {
        Parked p = byWait.get(waitKey(handle, instanceId));
        if (p == null) {
            return false;
        }
        lookSoon(p);
        return true;
    }

    /** Another replica heard that these steps of the event may have ended: they are looked at now. */
    void lookNow(HeldEvent h, Set<String> stepNames) {
        parked.stream().filter(p -> p.held == h && stepNames.contains(p.held.specs().get(p.index).name())).forEach(this::lookSoon);
    }

    private void lookSoon(Parked p) {
        p.nextCheck = clock.instant();
        if (!p.held.ended() && p.checking.compareAndSet(false, true)) {
            work.execute(EventContext.wrap(p.held.event, p.held.specs().get(p.index).name(), () -> look(p)));
        }
    }

    private static String waitKey(String handle, String instanceId) {
        return handle + "#" + instanceId;
    }

    private void unpark(Parked p) {
        parked.remove(p);
        if (p.waitKey != null) {
            byWait.remove(p.waitKey, p);
        }
    }

    /**
     * Parks a waiting step; returns the instance its status events will name, when they end it
     * here, else null (status events off, or work that is only looked at).
     */
    String park(HeldEvent h, int index, WaitingStep step, StepRequest request, String handle, long startedAt) {
        Instant deadline = Instant.ofEpochMilli(startedAt).plus(h.specs().get(index).timeout());
        String instance = statusEvents.on() ? step.statusEventInstance(request) : null;
        String key = instance == null ? null : waitKey(handle, instance);
        // Pushed statuses end the wait; looking is the fallback, at its slower pace from the start.
        Instant first = key == null ? clock.instant().plusSeconds(1) : earliest(clock.instant().plus(fallbackPace()), deadline);
        Parked p = new Parked(h, index, step, request, handle, startedAt, deadline, first, key);
        parked.add(p);
        if (key != null) {
            byWait.put(key, p);
        }
        return instance;
    }

    /** When to look next: the step's own pace, or the fallback pace when its statuses are pushed. */
    private Instant nextLook(Parked p) {
        Duration every = p.waitKey != null ? fallbackPace() : p.step.checkEvery(p.request);
        // Always one look at the step's timeout: a command that just ended is not a timeout.
        return earliest(clock.instant().plus(every), p.deadline);
    }

    /**
     * {@code lifeguard.ssm.look-seconds} on average, drawn between half and one and a half times
     * it: ten thousand commands sent within a minute would otherwise all be looked at within the
     * same minute, every time, instead of evenly across the pace.
     */
    private Duration fallbackPace() {
        long millis = statusEvents.lookEvery().toMillis();
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis + 1));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Looks at the parked steps that are due, on the work threads; called every second. */
    void checkDue() {
        Instant now = clock.instant();
        for (Parked p : parked) {
            if (p.held.ended()) {
                unpark(p);
            } else if (!p.nextCheck.isAfter(now) && p.checking.compareAndSet(false, true)) {
                work.execute(EventContext.wrap(p.held.event, p.held.specs().get(p.index).name(), () -> look(p)));
            }
        }
    }

    private void look(Parked p) {
        StepSpec spec = p.held.specs().get(p.index);
        try {
            StepOutcome outcome = p.step.check(p.request, p.handle);
            if (outcome != null) {
                unpark(p);
                ends.ended(p.held, p.index, StepResult.of(spec.name(), spec.type(), outcome, clock.millis() - p.startedAt));
                return;
            }
            if (!clock.instant().isBefore(p.deadline)) {
                unpark(p);
                Exception timedOut = p.step.timedOut(p.request, p.handle, p.lastStatus);
                // For good: the deadline counts from the wait's recorded start, so a later attempt
                // resumes a wait already past it; retrying would only delay the hook's result.
                ends.ended(p.held, p.index, StepResult.failed(spec.name(), spec.type(), clock.millis() - p.startedAt,
                        timedOut.getMessage(), true));
                return;
            }
            p.lastStatus = "in progress";
            p.nextCheck = nextLook(p);
        } catch (Exception e) {
            if (StepFailures.isPermanent(e) || !isLookFailure(e)) {
                unpark(p);
                ends.ended(p.held, p.index, StepResult.failed(spec.name(), spec.type(), clock.millis() - p.startedAt,
                        StepFailures.describe(e), StepFailures.isPermanent(e)));
                return;
            }
            // SSM throttled or unreachable: the command goes on regardless; look again later.
            p.nextCheck = clock.instant().plus(p.step.checkEvery(p.request));
        } finally {
            p.checking.set(false);
        }
    }

    /** A failure to look (throttling, an outage), as opposed to the work itself having failed. */
    private static boolean isLookFailure(Exception e) {
        return e instanceof SdkException;
    }
}
