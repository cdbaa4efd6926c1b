package dev.lifeguard.steps;

import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.Profile;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.store.InstanceFactsStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the steps a group's profile names for a kind of event. Steps of one event are
 * independent by design (each is a whole intent: "delete the Chef node and client"), so they
 * run in parallel, each within its own time limit, while the hook is kept alive.
 *
 * <p>Before destructive cleanup that a notification or a cleanup request asked for, EC2 is
 * asked whether the instance still lives; if it does, nothing runs and the refusal is recorded.
 */
public class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);
    /** Kinds whose steps clean up after an instance on someone's say-so. */
    private static final Set<Kind> CHECK_ALIVE_FIRST = Set.of(Kind.TERMINATED, Kind.LAUNCH_ERROR, Kind.TERMINATE_ERROR, Kind.CLEANUP_REQUEST);
    /** Kinds during which the instance exists: the moment to learn its addresses. */
    private static final Set<Kind> LEARN_FACTS = Set.of(Kind.LAUNCHING, Kind.TERMINATING, Kind.LAUNCHED);
    private static final Duration WAKE_EVERY = Duration.ofSeconds(5);

    private final ProfileStore profiles;
    private final Map<String, Step> steps;
    private final Ec2Instances ec2;
    private final InstanceFactsStore facts;
    private final LifecycleActions lifecycleActions;
    private final ExecutorService executor;
    private final boolean dryRun;
    private final Duration heartbeatInterval;
    private final Clock clock;

    public StepRunner(ProfileStore profiles, Map<String, Step> steps, Ec2Instances ec2, InstanceFactsStore facts,
                      LifecycleActions lifecycleActions, ExecutorService executor, boolean dryRun,
                      Duration heartbeatInterval, Clock clock) {
        this.profiles = profiles;
        this.steps = Map.copyOf(steps);
        this.ec2 = ec2;
        this.facts = facts;
        this.lifecycleActions = lifecycleActions;
        this.executor = executor;
        this.dryRun = dryRun;
        this.heartbeatInterval = heartbeatInterval;
        this.clock = clock;
    }

    /**
     * @param kind the profile's name for the kind of event: {@code launching}, {@code terminated}, …
     * @throws StepsFailedException when a step failed, so that the event is retried
     */
    public StepsReport run(LifecycleEvent event, String kind) {
        String route = "on-" + kind;
        Profile profile = profiles.current().forGroup(event.groupName());
        List<StepSpec> specs = profile.stepsFor(kind);
        // EC2 is asked only when the answer is used: to learn facts while the instance exists,
        // or when steps are about to run.
        if (specs.isEmpty() && !LEARN_FACTS.contains(event.kind())) {
            return StepsReport.of(route, List.of());
        }
        Optional<InstanceFacts> live = describe(event);
        InstanceFacts known = knownFacts(event, live);
        if (specs.isEmpty()) {
            return StepsReport.of(route, List.of());
        }
        if (CHECK_ALIVE_FIRST.contains(event.kind())) {
            String alive = stillAlive(event, live);
            if (alive != null) {
                LOG.warn("Refusing cleanup for {}: {}", event.describe(), alive);
                return StepsReport.refused(route, alive);
            }
        }
        Heartbeat heartbeat = event.isHook()
                ? new ThrottledHeartbeat(() -> lifecycleActions.recordHeartbeat(event), heartbeatInterval, clock)
                : Heartbeat.NONE;

        List<Future<StepResult>> running = new ArrayList<>();
        for (StepSpec spec : specs) {
            StepRequest request = new StepRequest(event, known, spec.config(), dryRun, heartbeat);
            running.add(executor.submit(() -> runOne(spec, request)));
        }
        List<StepResult> results = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            results.add(await(specs.get(i), running.get(i), heartbeat));
        }
        StepsReport report = StepsReport.of(route, results);
        LOG.info("Steps for {}: {}", event.describe(), report.summary());
        if (report.failed()) {
            throw new StepsFailedException(report);
        }
        return report;
    }

    private StepResult runOne(StepSpec spec, StepRequest request) {
        long start = System.nanoTime();
        try {
            StepOutcome outcome = steps.get(spec.type()).run(request);
            return new StepResult(spec.name(), spec.type(), outcome.status(), millisSince(start), outcome.detail());
        } catch (Exception e) {
            return new StepResult(spec.name(), spec.type(), "FAILED", millisSince(start),
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Waits for one step within its time limit, beating the hook's heartbeat meanwhile. A step
     * that watches its own timeout (an SSM command cancels itself) gets a tenth more, at most
     * 15 s, to report before it is abandoned.
     */
    private StepResult await(StepSpec spec, Future<StepResult> future, Heartbeat heartbeat) {
        long start = System.nanoTime();
        long grace = Math.min(Duration.ofSeconds(15).toNanos(), spec.timeout().toNanos() / 10);
        long deadline = start + spec.timeout().toNanos() + grace;
        long wake = Math.min(WAKE_EVERY.toNanos(), heartbeatInterval.toNanos());
        while (true) {
            heartbeat.beat();
            long left = deadline - System.nanoTime();
            try {
                return future.get(Math.max(0, Math.min(left, wake)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (System.nanoTime() >= deadline) {
                    future.cancel(true);
                    return new StepResult(spec.name(), spec.type(), "FAILED", millisSince(start),
                            "timed out after " + spec.timeout().toSeconds() + " s");
                }
            } catch (ExecutionException e) {
                return new StepResult(spec.name(), spec.type(), "FAILED", millisSince(start), String.valueOf(e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                future.cancel(true);
                return new StepResult(spec.name(), spec.type(), "FAILED", millisSince(start), "interrupted (shutting down)");
            }
        }
    }

    /** What EC2 says now, when the event names an instance. */
    private Optional<InstanceFacts> describe(LifecycleEvent event) {
        if (event.instanceId() == null) {
            return Optional.empty();
        }
        return ec2.describe(event.instanceId());
    }

    /**
     * While an instance exists its addresses are learnt and kept; after it is gone the kept ones
     * are used, since EC2 forgets a terminated instance's addresses.
     */
    private InstanceFacts knownFacts(LifecycleEvent event, Optional<InstanceFacts> live) {
        if (event.instanceId() == null) {
            return null;
        }
        if (LEARN_FACTS.contains(event.kind()) && live.isPresent()) {
            facts.save(live.get());
            return live.get();
        }
        return facts.load(event.instanceId()).or(() -> live).orElse(InstanceFacts.unknown(event.instanceId()));
    }

    /** @return why the instance counts as alive, or null when cleanup may go ahead */
    private String stillAlive(LifecycleEvent event, Optional<InstanceFacts> live) {
        if (event.instanceId() != null) {
            return live.filter(Ec2Instances::isAlive)
                    .map(f -> "instance " + f.instanceId() + " is still " + f.state() + " in EC2")
                    .orElse(null);
        }
        List<String> alive = ec2.aliveWith(event.ipAddress(), event.nodeName());
        return alive.isEmpty() ? null : "live instance(s) " + alive + " still answer to "
                + (event.ipAddress() != null ? event.ipAddress() : "") + (event.nodeName() != null ? " " + event.nodeName() : "");
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
