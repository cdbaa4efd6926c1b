package dev.lifeguard.engine;

import dev.lifeguard.aws.HookTimeouts;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.StepSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Takes the {@link Ledger} on request, reading what the engine keeps anyway: the held events and
 * their stages, the parked steps, the heartbeats and the hooks' timeouts already asked for. It
 * calls nothing, so reading it often costs the engine nothing.
 */
final class LedgerSnapshots {
    private final HeldEvents held;
    private final Heartbeats heartbeats;
    private final StepRuns runs;
    private final RecentEnds recent;
    private final Clock clock;

    LedgerSnapshots(HeldEvents held, Heartbeats heartbeats, StepRuns runs, RecentEnds recent, Clock clock) {
        this.held = held;
        this.heartbeats = heartbeats;
        this.runs = runs;
        this.recent = recent;
        this.clock = clock;
    }

    Ledger.Snapshot take() {
        Instant now = clock.instant();
        Map<HeldEvent, List<Parked>> parkedBy = new HashMap<>();
        runs.parked().forEach(p -> parkedBy.computeIfAbsent(p.held, k -> new ArrayList<>()).add(p));
        List<Ledger.InFlight> inFlight = new ArrayList<>();
        Map<String, int[]> groups = new TreeMap<>();
        for (HeldEvent h : held.all()) {
            Ledger.State state = state(h.stage());
            if (state == null || h.attempt == 0) {
                continue; // not claimed yet, or let go
            }
            inFlight.add(inFlight(h, state, parkedBy.getOrDefault(h, List.of()), now));
            count(groups, h);
        }
        inFlight.sort(Comparator.comparing(Ledger.InFlight::group, Comparator.nullsFirst(Comparator.naturalOrder()))
                .thenComparing(Ledger.InFlight::key));
        List<Ledger.GroupSlots> slots = new ArrayList<>();
        groups.forEach((group, n) -> slots.add(new Ledger.GroupSlots(group, n[0], n[2] > 0 ? n[2] : null, n[1])));
        return new Ledger.Snapshot(now, inFlight, slots, recent.newestFirst());
    }

    /** Per group: running, waiting, and the largest max-in-flight among its events' kinds (0: none). */
    private static void count(Map<String, int[]> groups, HeldEvent h) {
        if (h.event.groupName() == null) {
            return;
        }
        int[] n = groups.computeIfAbsent(h.event.groupName(), g -> new int[3]);
        Stage stage = h.stage();
        n[0] += stage == Stage.RUNNING ? 1 : 0;
        n[1] += stage == Stage.QUEUED ? 1 : 0;
        n[2] = Math.max(n[2], h.plan.limit());
    }

    private static Ledger.State state(Stage stage) {
        return switch (stage) {
            case CLAIMED -> Ledger.State.CLAIMED;
            case CONFIRMING -> Ledger.State.CONFIRMING;
            case QUEUED -> Ledger.State.WAITING_FOR_SLOT;
            case RUNNING -> Ledger.State.RUNNING_STEP;
            case FINISHING -> Ledger.State.FINISHING;
            default -> null;
        };
    }

    private Ledger.InFlight inFlight(HeldEvent h, Ledger.State state, List<Parked> parked, Instant now) {
        LifecycleEvent event = h.event;
        Ledger.Step step = null;
        Ledger.ParkedOn on = null;
        if (state == Ledger.State.RUNNING_STEP) {
            // Steps run side by side: a step holding a thread is shown first, else the longest parked one.
            step = runningStep(h, parked, now);
            Parked longest = parked.stream().min(Comparator.comparingLong(p -> p.startedAt)).orElse(null);
            if (step == null && longest != null) {
                state = Ledger.State.PARKED;
                StepSpec spec = h.specs().get(longest.index);
                step = new Ledger.Step(spec.name(), spec.type(), Duration.ofMillis(now.toEpochMilli() - longest.startedAt));
                on = new Ledger.ParkedOn(longest.handle, longest.nextCheck);
            }
        }
        Ledger.Heartbeats beats = event.isHook() ? heartbeats.view(h.key()) : null;
        HookTimeouts timeouts = event.isHook() ? heartbeats.knownTimeouts(event) : null;
        Duration heartbeatLeft = null;
        Duration globalLeft = null;
        if (timeouts != null) {
            if (beats != null && beats.lastAt() != null) {
                heartbeatLeft = timeouts.heartbeat().minus(Duration.between(beats.lastAt(), now));
            }
            Instant began = began(h);
            if (began != null) {
                globalLeft = timeouts.global().minus(Duration.between(began, now));
            }
        }
        return new Ledger.InFlight(h.key(), event.kind().name(), event.groupName(), event.instanceId(), event.hookName(),
                event.account(), event.region(),
                h.attempt, state, step, on, beats, timeouts == null ? null : timeouts.heartbeat(), heartbeatLeft, globalLeft);
    }

    private static Ledger.Step runningStep(HeldEvent h, List<Parked> parked, Instant now) {
        List<StepSpec> specs = h.specs();
        Ledger.Step found = null;
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < specs.size(); i++) {
            long since = h.runningSince(i);
            int index = i;
            if (since > 0 && since < earliest && parked.stream().noneMatch(p -> p.index == index)) {
                earliest = since;
                found = new Ledger.Step(specs.get(i).name(), specs.get(i).type(), Duration.ofMillis(now.toEpochMilli() - since));
            }
        }
        return found;
    }

    /**
     * When the lifecycle action began, from which its global timeout counts: the time in the
     * message, else when SQS received it.
     */
    private static Instant began(HeldEvent h) {
        String time = h.event.time();
        if (time != null) {
            try {
                return Instant.parse(time);
            } catch (DateTimeParseException e) {
                // fall through to the message's own time
            }
        }
        return h.inbound.sentAt();
    }
}
