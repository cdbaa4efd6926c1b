package dev.lifeguard.engine;

import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.log.Bugs;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.profiles.Profile;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.CommandWaits;
import dev.lifeguard.store.OutcomeRecorder;
import dev.lifeguard.store.InstanceFactsStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs events from claim to verdict without holding a thread while anything waits.
 *
 * <p>The intake route claims an event ({@link #claim}) and its kind's route starts it
 * ({@link #start}); both return at once, so a message never waits behind another's steps. A
 * lifecycle hook is first confirmed with Auto Scaling ({@link HookConfirmation}), on every claim,
 * a takeover included: a hook AWS does not confirm is refused and nothing runs. The
 * steps then run on the step threads; a {@link WaitingStep} (an SSM command) sends its work,
 * records the handle on the claim and is parked, to be looked at every few seconds by the
 * scheduler. When every step has ended, the verdict goes to {@code direct:finish}, the one route
 * that completes hooks, records outcomes and lets go of messages.
 *
 * <p>While an event is held, one scheduler keeps its message hidden ({@link SqsMessages}), its
 * claim's lease renewed ({@link Claims#renew}) and its hook alive ({@link Heartbeats}). A step
 * that ended is recorded on the claim, so a worker taking over after a crash skips it, and resumes
 * a parked wait from its recorded handle instead of sending the command again.
 */
public class EventEngine implements StepRuns.Events {
    private static final Logger LOG = LoggerFactory.getLogger(EventEngine.class);
    /** What {@link #claim} tells the intake route. */
    public static final String TAKEN = "TAKEN";
    public static final String DONE = "DONE";
    public static final String HELD = "HELD";
    /** Threads that finish events, send heartbeats, look at parked steps and renew leases. */
    public static final int WORK_THREADS = 8;
    /** How many finished events are remembered for dropping their late copies. */
    private static final int RECENTLY_DONE = 10_000;

    private final ProfileStore profiles;
    private final Preflight preflight;
    private final HookConfirmation confirmation;
    private final Claims claims;
    private final SqsMessages messages;
    private final Heartbeats heartbeats;
    private final ExecutorService stepThreads;
    private final UrgentFirst work;
    private final ScheduledExecutorService scheduler;
    private final ProducerTemplate producer;
    private final FailurePolicy failurePolicy;
    private final Clock clock;

    private final Map<String, HeldEvent> held = new ConcurrentHashMap<>();
    private final StepRuns runs;
    private final CommandStatuses commandStatuses;
    private final Bugs bugs;
    private final GroupLimits limits = new GroupLimits();
    /** Keys of events finished here lately: a later copy is a duplicate, known without a DynamoDB read. */
    private final Set<String> recentlyDone = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENTLY_DONE;
                }
            }));
    private volatile boolean accepting = true;
    private final LifeguardMetrics metrics;
    /** routes/finish.camel.yaml's endpoint, looked up once. */
    private volatile Endpoint finish;

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
        this.preflight = new Preflight(needs.ec2(), needs.facts());
        this.confirmation = new HookConfirmation(needs.autoScalingInstances(), needs.lifecycleActions());
        this.claims = needs.claims();
        this.messages = needs.messages();
        // Threads are the engine's own, not Camel's: Camel must not interrupt a running salt
        // state when it stops; the engine decides, after the shutdown grace.
        this.stepThreads = Executors.newFixedThreadPool(needs.stepThreads(), named("lifeguard-step"));
        // Finishing events (two calls each), heartbeats, looks at parked steps, lease renewals.
        this.work = new UrgentFirst(WORK_THREADS, named("lifeguard-work"), needs.clock());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("lifeguard-scheduler"));
        this.metrics = needs.metrics();
        this.heartbeats = new Heartbeats(needs.lifecycleActions(), needs.heartbeatGap(), work, needs.clock(), metrics);
        this.producer = needs.producer();
        this.failurePolicy = needs.failurePolicy();
        this.clock = needs.clock();
        this.bugs = new Bugs(clock);
        PushedStatuses pushed = needs.pushed();
        this.runs = new StepRuns(needs.steps(), claims, stepThreads, work, scheduler, needs.dryRun(), clock, this, metrics,
                new StepRuns.StatusEvents(pushed.on(), pushed.lookEvery(), pushed.waits()));
        this.commandStatuses = new CommandStatuses(runs, pushed.waits(), claims, pushed.outcomes(), pushed.on());
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

    /**
     * Claims the event in the exchange's body for this replica. A copy of an event handled
     * already is {@value #DONE} (the route deletes it); a copy of an event someone holds is
     * {@value #HELD} and hidden until that claim's lease could end, without counting an attempt.
     */
    public String claim(Exchange exchange) {
        LifecycleEvent event = exchange.getMessage().getBody(LifecycleEvent.class);
        inContextUntilDone(event, exchange);
        Inbound inbound = Inbound.of(exchange);
        if (!accepting) {
            // Shutting down: give the message straight back, unclaimed.
            messages.release(inbound.receiptHandle(), Duration.ZERO);
            return HELD;
        }
        if (recentlyDone.contains(event.idempotencyKey())) {
            // Finished here a moment ago (SNS and EventBridge both wired): no need to ask DynamoDB.
            return DONE;
        }
        HeldEvent candidate = new HeldEvent(event, inbound);
        HeldEvent here = held.putIfAbsent(event.idempotencyKey(), candidate);
        if (here != null) {
            // Another copy (SNS and EventBridge both wired, a redelivery) of an event in progress
            // here: kept hidden with it, and deleted or released when it ends.
            LOG.info("Another copy of {} arrived while it is in progress here; it ends with the first", event.describe());
            here.copies.add(inbound.receiptHandle());
            messages.hold(inbound.receiptHandle());
            if (held.get(event.idempotencyKey()) != here && here.copies.remove(inbound.receiptHandle())) {
                // It ended meanwhile: let the copy come back, to be dropped as a duplicate.
                messages.release(inbound.receiptHandle(), Duration.ofSeconds(1));
            }
            return HELD;
        }
        Claims.Claim claim;
        try {
            claim = claims.claim(event);
        } catch (RuntimeException e) {
            held.remove(event.idempotencyKey(), candidate);
            throw e;
        }
        if (claim instanceof Claims.Taken taken) {
            if (taken.tookOver()) {
                metrics.tookOver();
                LOG.info("Took over {} from a worker whose lease ran out (attempt {})", event.describe(), taken.attempt());
            }
            candidate.attempt = taken.attempt();
            candidate.earlier = taken.steps();
            candidate.renewDue = clock.instant().plus(claims.lease().dividedBy(3));
            candidate.leaseRenewed(clock.instant().plus(claims.lease()));
            messages.hold(inbound.receiptHandle());
            return TAKEN;
        }
        held.remove(event.idempotencyKey(), candidate);
        if (claim instanceof Claims.Held other) {
            messages.hide(inbound.receiptHandle(), hideHeldCopy(other, inbound.receiveCount()));
            LOG.info("{} is held by {} until {}; hiding this copy", event.describe(), other.owner(), other.leaseEnd());
            return HELD;
        }
        return DONE;
    }

    /**
     * The rest of the message's intake, on this intake thread, logs in the event's context; the
     * context is closed when the exchange is done (on this thread: nothing after the claim hands
     * the exchange to another).
     */
    private static void inContextUntilDone(LifecycleEvent event, Exchange exchange) {
        EventContext context = EventContext.of(event);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                context.close();
            }
        });
    }

    /**
     * How long a copy that met another worker's live claim stays hidden: until the lease could
     * end, and longer each time it comes back, since the holder renews its lease for as long as
     * its steps take and every receive counts toward the queue's maxReceiveCount. The holder's own
     * message comes back if the holder dies, so the copy is never the only one left.
     */
    private Duration hideHeldCopy(Claims.Held other, int receiveCount) {
        Duration untilLeaseEnds = Duration.between(clock.instant(), other.leaseEnd()).plusSeconds(1);
        Duration growing = claims.lease().multipliedBy(1L << Math.min(10, Math.max(0, receiveCount - 1)));
        Duration hide = untilLeaseEnds.compareTo(growing) > 0 ? untilLeaseEnds : growing;
        return hide.compareTo(Duration.ofHours(11)) > 0 ? Duration.ofHours(11) : hide;
    }

    /** Starts the steps the group's profile names for the event's kind; returns at once. */
    public void start(Exchange exchange) {
        LifecycleEvent event = exchange.getMessage().getBody(LifecycleEvent.class);
        HeldEvent h = held.get(event.idempotencyKey());
        if (h == null) {
            throw new IllegalStateException(event.describe() + " was started without being claimed; route it through sqs-intake");
        }
        Profile profile = profiles.current().forGroup(event.groupName());
        String kind = event.kind().profileKey();
        h.expect(profile.stepsFor(kind));
        h.useFacts = profile.usesInstanceFacts();
        h.limit = profile.maxInFlight(kind);
        work.execute(EventContext.wrap(event, () -> proceed(h)));
    }

    /**
     * Confirms a hook with Auto Scaling, then queues the event for a slot of its group. A hook
     * Auto Scaling could not be asked about (throttled, unreachable) is asked again with backoff,
     * held meanwhile: that is no evidence, so never a refusal.
     */
    private void proceed(HeldEvent h) {
        if (h.ended.get()) {
            return;
        }
        if (h.event.isHook()) {
            Instant asked = clock.instant();
            // The confirmation is the hook's first heartbeat: it goes before every task due after its
            // message was sent, so hooks claimed late in a burst are not confirmed later still.
            Instant sent = h.inbound.sentAt() != null ? h.inbound.sentAt() : asked;
            confirmation.confirm(h.event, work.dueAt(sent), () -> describeAhead(h)).whenComplete((answer, error) -> EventContext.wrap(h.event, () -> {
                try {
                    confirmed(h, answer, error, asked);
                } catch (RuntimeException e) {
                    bugs.report(LOG, "Confirming " + h.event.describe() + " hit a bug", e);
                }
            }).run());
            return;
        }
        queue(h);
    }

    private void confirmed(HeldEvent h, HookConfirmation.Answer answer, Throwable error, Instant asked) {
        if (h.ended.get()) {
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            long delay = Math.min(30, 1L << Math.min(5, h.confirmTries++));
            metrics.retried("confirm");
            Outages.warnUnlessOutage(LOG, cause, "Could not confirm {} with Auto Scaling ({}); asking again in {} s",
                    h.event.describe(), StepFailures.describe(cause), delay);
            scheduler.schedule(() -> work.execute(EventContext.wrap(h.event, () -> proceed(h))), delay, TimeUnit.SECONDS);
            return;
        }
        if (!answer.confirmed()) {
            refuse(h, answer.refusal(), answer.reason());
            return;
        }
        if (!h.specs.isEmpty()) {
            // Kept alive while its steps wait for a slot and run; a hook without steps ends at once.
            heartbeats.hold(h.key(), h.event, asked);
        }
        queue(h);
    }

    /** Takes the event's place in line for a slot of its group, or ends it at once when it has no steps. */
    private void queue(HeldEvent h) {
        LifecycleEvent event = h.event;
        describeAhead(h);
        if (h.specs.isEmpty()) {
            // While the instance exists, its addresses are learnt for the group's later cleanup.
            if (h.useFacts && Preflight.learnsFacts(event.kind())) {
                try {
                    preflight.check(event, true, h.described);
                } catch (RuntimeException e) {
                    LOG.warn("Could not learn the addresses of {}: {}", event.describe(), StepFailures.describe(e));
                }
            }
            conclude(h, StepsReport.of(event.kind().route(), List.of()));
            return;
        }
        h.startWhenFree = () -> {
            h.inSlot = true;
            stepThreads.execute(EventContext.wrap(event, () -> begin(h)));
        };
        limits.enter(event.groupName(), event.kind().profileKey(), h.limit, h.startWhenFree);
    }

    /**
     * Asks EC2 about the instance now, together with the events accepted beside it, rather than one
     * by one as their steps start; once per event.
     */
    private void describeAhead(HeldEvent h) {
        if (h.described == null) {
            h.described = preflight.describeAhead(h.event, h.useFacts);
        }
    }

    /**
     * AWS did not confirm what the message says: nothing runs. On a later attempt (a takeover, a
     * retry) a hook Auto Scaling no longer knows has ended meanwhile; see {@link #verdict}.
     */
    private void refuse(HeldEvent h, Refusal refusal, String reason) {
        if (endedMeanwhile(h)) {
            LOG.info("{} has already ended in Auto Scaling ({}); nothing runs", h.event.describe(), reason);
        } else {
            LOG.warn("Refusing {}: {}", h.event.describe(), reason);
            metrics.refused(refusal.label());
        }
        conclude(h, StepsReport.refused(h.event.kind().route(), reason));
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
        if (h == null || h.attempt == 0 || !h.ended.compareAndSet(false, true)) {
            return;
        }
        messages.forget(h.inbound.receiptHandle());
        let(h);
        h.copies.forEach(messages::forget);
        try {
            claims.release(h.key());
        } catch (RuntimeException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not release the claim on {} ({}); it lapses in {} s", event.describe(),
                    StepFailures.describe(e), claims.lease().toSeconds());
        }
    }

    // --- running steps ---

    private void begin(HeldEvent h) {
        if (h.ended.get()) {
            return;
        }
        if (lapsed(h)) {
            // Another replica may hold the event now: start nothing until a renewal says it is ours.
            logLapse(h, "starting its steps");
            scheduler.schedule(() -> stepThreads.execute(EventContext.wrap(h.event, () -> begin(h))), 1, TimeUnit.SECONDS);
            return;
        }
        String route = h.event.kind().route();
        try {
            Preflight.Result pre = preflight.check(h.event, h.useFacts, h.described);
            if (pre.refusal() != null) {
                refuse(h, pre.refusal(), pre.reason());
                return;
            }
            h.facts = pre.facts();
        } catch (RuntimeException e) {
            // EC2 or the table could not be asked: the attempt fails before any step ran.
            List<StepResult> failed = h.specs.stream().map(spec -> StepResult.failed(spec.name(), spec.type(), 0,
                    "not started: asking EC2 about the instance failed: " + StepFailures.describe(e), false)).toList();
            conclude(h, StepsReport.of(route, failed));
            return;
        }
        runs.start(h);
    }

    // --- ending an event ---

    @Override
    public void ended(HeldEvent h, StepsReport report) {
        conclude(h, report);
    }

    @Override
    public void lost(HeldEvent h) {
        lose(h);
    }

    private void conclude(HeldEvent h, StepsReport report) {
        if (!h.ended.compareAndSet(false, true)) {
            return;
        }
        leaveSlot(h);
        Verdict verdict = verdict(h, report);
        h.finishing = true;
        work.execute(EventContext.wrap(h.event, () -> finish(h, verdict)));
    }

    /**
     * A hook refused on a later attempt was real once (an earlier attempt confirmed it): another
     * replica completed it, or it timed out. A refused attempt does not count, so a forged copy
     * refused before never makes the real hook's first attempt look like a later one.
     */
    private static boolean endedMeanwhile(HeldEvent h) {
        return h.event.isHook() && h.attempt > 1;
    }

    private Verdict verdict(HeldEvent h, StepsReport report) {
        LifecycleEvent event = h.event;
        if (report.refused()) {
            if (endedMeanwhile(h)) {
                return new Verdict(event, h.inbound, Outcome.ALREADY_ENDED, report, null,
                        "already ended: " + report.refusedReason(), true);
            }
            return new Verdict(event, h.inbound, Outcome.REFUSED, report, null, "refused: " + report.refusedReason(), true);
        }
        if (!report.failed()) {
            return new Verdict(event, h.inbound, Outcome.SUCCEEDED, report, event.isHook() ? HookResult.CONTINUE : null, null, true);
        }
        boolean permanent = report.results().stream().anyMatch(r -> r.failed() && r.permanent());
        String error = "steps failed: " + report.summary();
        if (failurePolicy.givesUp(h.attempt, permanent)) {
            String why = permanent ? "a permanent failure" : "attempt " + h.attempt + " of " + failurePolicy.maxAttempts();
            return new Verdict(event, h.inbound, Outcome.GAVE_UP, report, failurePolicy.hookResult(event),
                    error + " (" + why + ")", true);
        }
        return new Verdict(event, h.inbound, Outcome.RETRYING, report, null, error, true);
    }

    private void finish(HeldEvent h, Verdict verdict) {
        if (h.lost) {
            LOG.warn("The claim on {} was taken over by another worker while it was finishing; leaving it to that worker"
                    + " without completing it here", h.event.describe());
            leave(h);
            return;
        }
        if (verdict.completesHook() && lapsed(h)) {
            if (!accepting) {
                // Shutting down with a lapsed claim: the message comes back to whoever holds the event.
                leave(h);
                return;
            }
            logLapse(h, "completing its hook");
            scheduler.schedule(() -> work.execute(EventContext.wrap(h.event, () -> finish(h, verdict))), 1, TimeUnit.SECONDS);
            return;
        }
        boolean completing = verdict.completesHook() && verdict.completedWith() == null;
        if (completing) {
            heartbeats.pause(h.key());
        }
        Exchange done = producer.send(finishEndpoint(), exchange -> {
            exchange.getMessage().setBody(verdict);
            if (verdict.completedWith() != null) {
                exchange.getMessage().setHeader("LifeguardHookResult", verdict.completedWith());
            }
        });
        if (done.getException() != null && accepting) {
            // DynamoDB or Auto Scaling did not answer: the event stays held (hidden, leased,
            // heartbeated) and is finished again shortly; a hook already completed is not completed twice.
            String completed = done.getMessage().getHeader("LifeguardHookResult", String.class);
            if (completed != null) {
                // Auto Scaling has let the hook go: heartbeats would only be refused from now on.
                heartbeats.release(h.key());
            } else if (completing) {
                heartbeats.resume(h.key());
            }
            Verdict again = completed != null && verdict.completedWith() == null ? verdict.completed(completed) : verdict;
            long delay = Math.min(30, 1L << Math.min(5, h.finishTries++));
            metrics.retried("finish");
            Outages.warnUnlessOutage(LOG, done.getException(), "Could not finish {} ({}); trying again in {} s",
                    h.event.describe(), StepFailures.describe(done.getException()), delay);
            scheduler.schedule(() -> work.execute(EventContext.wrap(h.event, () -> finish(h, again))), delay, TimeUnit.SECONDS);
            return;
        }
        if (done.getException() != null) {
            // Shutting down: the message comes back to another worker, the recorded steps are not run again.
            leave(h);
            return;
        }
        let(h);
        // The one INFO line of an event: what it was, how it ended, what its steps did.
        String hookResult = done.getMessage().getHeader("LifeguardHookResult", String.class);
        LOG.info("{}: {}{} (attempt {}) — {}", h.event.describe(), verdict.result(),
                hookResult == null ? "" : ", completed " + hookResult, h.attempt, verdict.report().summary());
        // Copies that arrived meanwhile share the event's fate; none can attach any more.
        if (Boolean.FALSE.equals(done.getMessage().getHeader("LifeguardRecorded", Boolean.class))) {
            h.copies.forEach(messages::forget);
        } else if (verdict.retrying() || verdict.refused()) {
            // A refused event gave its key back: a copy that arrived meanwhile may be the real
            // event (another hook name or destination for the same action), so it comes back.
            h.copies.forEach(copy -> messages.release(copy, verdict.refused() ? Duration.ofSeconds(1) : claims.lease()));
        } else {
            recentlyDone.add(h.key());
            h.copies.forEach(messages::delete);
        }
    }

    private Endpoint finishEndpoint() {
        Endpoint endpoint = finish;
        if (endpoint == null) {
            endpoint = producer.getCamelContext().getEndpoint("direct:finish");
            finish = endpoint;
        }
        return endpoint;
    }

    /** The claim was taken over by another worker (our lease ran out): stop, and leave everything to it. */
    private void lose(HeldEvent h) {
        h.lost = true;
        if (!h.ended.compareAndSet(false, true)) {
            return; // finishing: finish() sees that it was lost and lets go
        }
        LOG.warn("The claim on {} was taken over by another worker; stopping here without completing it", h.event.describe());
        h.cancelRunning();
        leaveSlot(h);
        leave(h);
    }

    /** Frees the group slot an event holds, or its place in the line for one. */
    private void leaveSlot(HeldEvent h) {
        if (h.inSlot) {
            h.inSlot = false;
            limits.leave(h.event.groupName(), h.event.kind().profileKey(), h.limit);
        } else if (h.startWhenFree != null) {
            limits.forget(h.startWhenFree);
        }
    }

    /**
     * Whether this replica's claim may have run out: its last successful write to the claim is a
     * lease ago (less a tenth, for the call about to be made).
     */
    private boolean lapsed(HeldEvent h) {
        return !clock.instant().isBefore(h.leaseUntil.minus(claims.lease().dividedBy(10)));
    }

    private void logLapse(HeldEvent h, String what) {
        if (!h.lapseLogged) {
            h.lapseLogged = true;
            LOG.warn("The claim on {} could not be renewed for {} s (DynamoDB unreachable?); not {} until it is renewed,"
                    + " or left to the worker that took it over", h.event.describe(), claims.lease().toSeconds(), what);
        }
    }

    /** Lets go of the event without touching its messages: they come back when their visibility runs out. */
    private void leave(HeldEvent h) {
        messages.forget(h.inbound.receiptHandle());
        h.copies.forEach(messages::forget);
        let(h);
    }

    private void let(HeldEvent h) {
        held.remove(h.key(), h);
        heartbeats.release(h.key());
        runs.forget(h);
    }

    // --- the scheduler ---

    private void everySecond() {
        try {
            messages.extendDue();
            heartbeats.sendDue();
            runs.checkParked();
            renewLeases();
            // An edit of the profiles file is loaded, or rejected and reported, within seconds,
            // not when the next event happens to need a profile.
            profiles.current();
        } catch (RuntimeException e) {
            bugs.report(LOG, "The engine's scheduler hit a bug; it keeps running", e);
        }
    }

    private void renewLeases() {
        Instant now = clock.instant();
        for (HeldEvent h : held.values()) {
            if (h.renewDue == null || h.renewDue.isAfter(now) || h.ended.get() && !h.finishing) {
                continue;
            }
            h.renewDue = now.plus(claims.lease().dividedBy(3));
            work.execute(EventContext.wrap(h.event, () -> {
                try {
                    Instant until = clock.instant().plus(claims.lease());
                    Claims.Renewal renewal = claims.renewal(h.key());
                    if (!renewal.ours()) {
                        lose(h);
                    } else {
                        h.leaseRenewed(until);
                        // Another replica heard that a command of this event may have ended.
                        if (!renewal.pushed().isEmpty()) {
                            runs.lookNow(h, renewal.pushed());
                        }
                    }
                } catch (RuntimeException e) {
                    // Retried at the next third of the lease; two more chances before it runs out.
                    Outages.warnUnlessOutage(LOG, e, "Could not renew the claim on {}: {}", h.event.describe(), StepFailures.describe(e));
                    h.renewDue = clock.instant().plusSeconds(5);
                }
            }));
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
        while (clock.instant().isBefore(deadline) && held.values().stream()
                .anyMatch(h -> h.blockingRunning.get() > 0 || h.finishing)) {
            sleep(100);
        }
        int handedBack = 0;
        for (HeldEvent h : held.values()) {
            if (h.finishing || h.attempt == 0 || !h.ended.compareAndSet(false, true)) {
                continue;
            }
            h.cancelRunning();
            leaveSlot(h);
            try {
                claims.handBack(h.key());
            } catch (RuntimeException e) {
                LOG.warn("Could not release the claim on {} ({}); it lapses in {} s", h.event.describe(),
                        StepFailures.describe(e), claims.lease().toSeconds());
            }
            messages.release(h.inbound.receiptHandle(), Duration.ZERO);
            h.copies.forEach(copy -> messages.release(copy, Duration.ZERO));
            let(h);
            handedBack++;
        }
        messages.deleteQueued();
        LOG.info("Shutdown: {} event(s) handed back to the queue for another worker", handedBack);
        scheduler.shutdownNow();
        work.shutdown();
        stepThreads.shutdownNow();
    }

    /** Where SSM's status events are taken (routes/command-status.camel.yaml). */
    public CommandStatuses commandStatuses() {
        return commandStatuses;
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
