package dev.lifeguard.engine;

import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.log.Bugs;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.profiles.Profile;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.CommandWaits;
import dev.lifeguard.store.InstanceFactsStore;
import dev.lifeguard.store.OutcomeRecorder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs events from claim to verdict without holding a thread while anything waits.
 *
 * <p>The intake route claims an event ({@link #claim}, decided by the {@link ClaimDesk}) and its
 * kind's route starts it ({@link #start}); both return at once, so a message never waits behind
 * another's steps. A lifecycle hook is first confirmed with Auto Scaling ({@link
 * HookConfirmation}), on every claim, a takeover included: a hook AWS does not confirm is refused
 * and nothing runs. The event then waits for a slot of its group, and its steps run ({@link
 * StepRuns}); a waiting step (an SSM command) is parked, and ended by SSM's status event
 * ({@link CommandStatuses}) or a look. The verdict goes to {@code direct:finish} through the
 * {@link Finisher}. Each event's life is one {@link Stage}.
 *
 * <p>While an event is held, one scheduler keeps its message hidden ({@link SqsMessages}), its
 * claim's lease renewed ({@link LeaseKeeper}) and its hook alive ({@link Heartbeats}).
 */
public class EventEngine implements StepRuns.Events {
    private static final Logger LOG = LoggerFactory.getLogger(EventEngine.class);
    /** Threads that finish events, send heartbeats, look at parked steps and renew leases. */
    public static final int WORK_THREADS = 8;

    private final ProfileStore profiles;
    private final Claims claims;
    private final SqsMessages messages;
    private final Heartbeats heartbeats;
    private final ExecutorService stepThreads;
    private final UrgentFirst work;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Bugs bugs;
    private final LifeguardMetrics metrics;
    private final StepRuns runs;
    private final HeldEvents held;
    private final ClaimDesk desk;
    private final LeaseKeeper leases;
    private final Finisher finisher;
    private final Admission admission;
    private final CommandStatuses commandStatuses;
    private final LedgerSnapshots ledger;
    private volatile boolean accepting = true;

    /** What the engine works with, built by the configuration. */
    public record Needs(ProfileStore profiles, Map<String, Step> steps, Ec2Instances ec2,
                        AutoScalingInstances autoScalingInstances, InstanceFactsStore facts, Claims claims,
                        SqsMessages messages, LifecycleActions lifecycleActions, ProducerTemplate producer,
                        FailurePolicy failurePolicy, int stepThreads, boolean dryRun,
                        Duration heartbeatGap, Clock clock, LifeguardMetrics metrics, PushedStatuses pushed) {
    }

    /**
     * Whether SSM's status events reach the queue ({@code lifeguard.ssm.status-events}), how often a
     * command is looked at all the same, where the claim waiting on each command is recorded, and
     * where a status event for a command no claim waits on is recorded as ignored.
     */
    public record PushedStatuses(boolean on, Duration lookEvery, CommandWaits waits, OutcomeRecorder outcomes) {
    }

    public EventEngine(Needs needs) {
        this.profiles = needs.profiles();
        this.claims = needs.claims();
        this.messages = needs.messages();
        this.clock = needs.clock();
        this.metrics = needs.metrics();
        this.bugs = new Bugs(clock);
        // Threads are the engine's own, not Camel's: Camel must not interrupt a running salt
        // state when it stops; the engine decides, after the shutdown grace.
        this.stepThreads = Executors.newFixedThreadPool(needs.stepThreads(), named("lifeguard-step"));
        // Finishing events (two calls each), heartbeats, looks at parked steps, lease renewals.
        this.work = new UrgentFirst(WORK_THREADS, named("lifeguard-work"), clock);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("lifeguard-scheduler"));
        this.heartbeats = new Heartbeats(needs.lifecycleActions(), needs.heartbeatGap(), work, clock, metrics);
        PushedStatuses pushed = needs.pushed();
        this.runs = new StepRuns(needs.steps(), claims, stepThreads, work, scheduler, needs.dryRun(), clock, this, metrics,
                new ParkedWaits.StatusEvents(pushed.on(), pushed.lookEvery(), pushed.waits()));
        this.held = new HeldEvents(messages, heartbeats, runs);
        this.desk = new ClaimDesk(held, claims, messages, metrics, clock, () -> accepting, this::notStarted);
        this.leases = new LeaseKeeper(claims, clock, work, runs, this::lose);
        RecentEnds recent = new RecentEnds(clock);
        this.ledger = new LedgerSnapshots(held, heartbeats, runs, recent, clock);
        this.finisher = new Finisher(new Finisher.Parts(held, desk, leases, heartbeats, messages, claims.lease(),
                needs.failurePolicy(), work, scheduler, needs.producer(), metrics, () -> accepting, recent,
                new RetentionWatch(needs.autoScalingInstances(), pushed.outcomes(), scheduler, work)));
        this.commandStatuses = new CommandStatuses(runs, pushed.waits(), claims, pushed.outcomes(), pushed.on());
        this.admission = new Admission(new Admission.Parts(new Preflight(needs.ec2(), needs.facts()),
                new HookConfirmation(needs.autoScalingInstances(), needs.lifecycleActions()), heartbeats, held, leases,
                finisher, runs, stepThreads, work, scheduler, metrics, clock));
        metrics.watch(this::holding, this::parkedSteps);
        scheduler.scheduleWithFixedDelay(this::everySecond, 1, 1, TimeUnit.SECONDS);
        scheduler.scheduleWithFixedDelay(messages::deleteQueued, 100, 100, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    // --- called by the routes ---

    /** TAKEN (dispatch it), DONE (a duplicate: delete it) or HELD (hidden for now); see {@link ClaimDesk#claim}. */
    public String claim(Exchange exchange) {
        return desk.claim(exchange);
    }

    /** Starts the steps the group's profile names for the event's kind; returns at once. */
    public void start(Exchange exchange) {
        LifecycleEvent event = exchange.getMessage().getBody(LifecycleEvent.class);
        HeldEvent h = held.get(event.idempotencyKey());
        if (h == null) {
            throw new IllegalStateException(event.describe() + " was started without being claimed; route it through sqs-intake");
        }
        Profile profile = profiles.current().forEvent(event);
        String kind = event.kind().profileKey();
        h.plan(new HeldEvent.Plan(profile.stepsFor(kind), profile.usesInstanceFacts(), profile.maxInFlight(kind)));
        work.execute(EventContext.wrap(event, () -> admission.proceed(h)));
    }

    /**
     * Its kind's route ended without starting it (an operator's step skipped {@code engine.start}):
     * it goes on as an event whose profile has no steps, so it is confirmed, completed and recorded
     * rather than held until Lifeguard stops.
     */
    private void notStarted(HeldEvent h) {
        LOG.warn("Route {} ended without calling engine.start for {}; it ends as an event with no steps (to leave a group"
                + " alone, give it a profile without steps)", h.event.kind().route(), h.event.describe());
        h.plan(new HeldEvent.Plan(List.of(), false, 0));
        work.execute(EventContext.wrap(h.event, () -> admission.proceed(h)));
    }

    /**
     * Intake failed after the claim (dispatch could not start the event): forget it here and
     * release the claim, so that the message's next delivery tries again.
     */
    public void abandon(Exchange exchange) {
        if (!(exchange.getMessage().getBody() instanceof LifecycleEvent event)) {
            return;
        }
        HeldEvent h = held.get(event.idempotencyKey());
        if (h == null || h.attempt == 0 || h.end(Stage.HANDED_BACK) == null) {
            return;
        }
        held.leave(h);
        try {
            claims.release(h.key());
        } catch (RuntimeException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not release the claim on {} ({}); it lapses in {} s", event.describe(),
                    StepFailures.describe(e), claims.lease().toSeconds());
        }
    }

    /** Where SSM's status events are taken (routes/command-status.camel.yaml). */
    public CommandStatuses commandStatuses() {
        return commandStatuses;
    }

    // --- what the steps report ---

    @Override
    public void ended(HeldEvent h, StepsReport report) {
        finisher.conclude(h, report);
    }

    @Override
    public void lost(HeldEvent h) {
        lose(h);
    }

    /** The claim was taken over by another worker (our lease ran out): stop, and leave everything to it. */
    private void lose(HeldEvent h) {
        Stage left = h.end(Stage.LOST);
        if (left == null) {
            // Finishing: the finisher sees it was lost and lets go without completing.
            h.move(Stage.FINISHING, Stage.LOST);
            return;
        }
        LOG.warn("The claim on {} was taken over by another worker; stopping here without completing it", h.event.describe());
        h.cancelRunning();
        held.leaveSlot(h, left);
        held.leave(h);
    }

    // --- the scheduler ---

    private void everySecond() {
        try {
            messages.extendDue();
            heartbeats.sendDue();
            runs.checkParked();
            leases.renewDue(held.all());
            // An edit of the profiles file is loaded, or rejected and reported, within seconds,
            // not when the next event happens to need a profile.
            profiles.current();
        } catch (RuntimeException e) {
            bugs.report(LOG, "The engine's scheduler hit a bug; it keeps running", e);
        }
    }

    // --- shutdown ---

    /**
     * Stops taking events, lets running steps (a salt state, a knife call) and finishing events end
     * within {@code grace}, then hands every other held event back: claim released without
     * counting an attempt, message visible again. Parked waits are handed back with their handles
     * on record, so the next worker resumes them.
     */
    public void shutdown(Duration grace) {
        accepting = false;
        Instant deadline = clock.instant().plus(grace);
        while (clock.instant().isBefore(deadline) && held.all().stream()
                .anyMatch(h -> h.blockingRunning.get() > 0 || h.stage() == Stage.FINISHING)) {
            sleep(100);
        }
        int handedBack = 0;
        for (HeldEvent h : held.all()) {
            if (h.attempt == 0) {
                continue;
            }
            Stage left = h.end(Stage.HANDED_BACK);
            if (left == null) {
                continue;
            }
            h.cancelRunning();
            held.leaveSlot(h, left);
            try {
                claims.handBack(h.key());
            } catch (RuntimeException e) {
                LOG.warn("Could not release the claim on {} ({}); it lapses in {} s", h.event.describe(),
                        StepFailures.describe(e), claims.lease().toSeconds());
            }
            messages.release(h.inbound.receipt(), Duration.ZERO);
            h.copies.forEach(copy -> messages.release(copy, Duration.ZERO));
            held.let(h);
            handedBack++;
        }
        messages.deleteQueued();
        LOG.info("Shutdown: {} event(s) handed back to the queue for another worker", handedBack);
        scheduler.shutdownNow();
        work.shutdown();
        stepThreads.shutdownNow();
    }

    /** What this replica holds now, and what it finished last; calls nothing (GET /observe/status). */
    public Ledger.Snapshot ledger() {
        return ledger.take();
    }

    /** In-flight figures, for logs and tests. */
    public int holding() {
        return held.size();
    }

    public int parkedSteps() {
        return runs.parkedCount();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
