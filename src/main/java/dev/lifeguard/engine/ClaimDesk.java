package dev.lifeguard.engine;

import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.store.Claims;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, for each message, whether this replica takes its event: a copy of an event finished
 * here lately or recorded as done is a duplicate; a copy of an event held here joins it; a copy
 * of an event another replica holds is hidden until that claim's lease could end; otherwise the
 * event is claimed in DynamoDB and held.
 */
final class ClaimDesk {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimDesk.class);
    /** How many finished events are remembered for dropping their late copies. */
    private static final int RECENTLY_DONE = 10_000;

    /** What a claim tells the intake route. */
    static final String TAKEN = "TAKEN";
    static final String DONE = "DONE";
    static final String HELD = "HELD";

    private final HeldEvents held;
    private final Claims claims;
    private final SqsMessages messages;
    private final LifeguardMetrics metrics;
    private final Clock clock;
    private final BooleanSupplier accepting;
    private final Consumer<HeldEvent> notStarted;
    /** Keys of events finished here lately: a later copy is a duplicate, known without a DynamoDB read. */
    private final Set<String> recentlyDone = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > RECENTLY_DONE;
                }
            }));

    /**
     * @param notStarted called when the intake exchange of an event it took ends without the
     *                   event having been started (its kind's route never reached engine.start)
     */
    ClaimDesk(HeldEvents held, Claims claims, SqsMessages messages, LifeguardMetrics metrics, Clock clock,
              BooleanSupplier accepting, Consumer<HeldEvent> notStarted) {
        this.notStarted = notStarted;
        this.held = held;
        this.claims = claims;
        this.messages = messages;
        this.metrics = metrics;
        this.clock = clock;
        this.accepting = accepting;
    }

    /** The event finished here: its late copies are duplicates. */
    void done(String key) {
        recentlyDone.add(key);
    }

    /**
     * Claims the event in the exchange's body for this replica. A copy of an event handled
     * already is {@value #DONE} (the route deletes it); a copy of an event someone holds is
     * {@value #HELD} and hidden until that claim's lease could end, without counting an attempt.
     */
    String claim(Exchange exchange) {
        LifecycleEvent event = exchange.getMessage().getBody(LifecycleEvent.class);
        inContextUntilDone(event, exchange);
        Inbound inbound = Inbound.of(exchange);
        if (!accepting.getAsBoolean()) {
            // Shutting down: give the message straight back, unclaimed.
            messages.release(inbound.receipt(), Duration.ZERO);
            return HELD;
        }
        if (recentlyDone.contains(event.idempotencyKey())) {
            // Finished here a moment ago (SNS and EventBridge both wired): no need to ask DynamoDB.
            return DONE;
        }
        HeldEvent candidate = new HeldEvent(event, inbound);
        HeldEvent here = held.putIfAbsent(candidate);
        if (here != null) {
            // Another copy (SNS and EventBridge both wired, a redelivery) of an event in progress
            // here: kept hidden with it, and deleted or released when it ends.
            LOG.info("Another copy of {} arrived while it is in progress here; it ends with the first", event.describe());
            here.copies.add(inbound.receipt());
            messages.hold(inbound.receipt());
            if (held.get(event.idempotencyKey()) != here && here.copies.remove(inbound.receipt())) {
                // It ended meanwhile: let the copy come back, to be dropped as a duplicate.
                messages.release(inbound.receipt(), Duration.ofSeconds(1));
            }
            return HELD;
        }
        Claims.Claim claim;
        try {
            claim = claims.claim(event);
        } catch (RuntimeException e) {
            held.forgetUnclaimed(candidate);
            throw e;
        }
        if (claim instanceof Claims.Taken taken) {
            if (taken.tookOver()) {
                metrics.tookOver();
                LOG.info("Took over {} from a worker whose lease ran out (attempt {})", event.describe(), taken.attempt());
            }
            candidate.claimed(taken.attempt(), taken.steps(), clock.instant().plus(claims.lease()),
                    clock.instant().plus(claims.lease().dividedBy(3)));
            messages.hold(inbound.receipt());
            startedOrEnded(candidate, exchange);
            return TAKEN;
        }
        held.forgetUnclaimed(candidate);
        if (claim instanceof Claims.Held other) {
            messages.hide(inbound.receipt(), hideHeldCopy(other, inbound.receiveCount()));
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
     * An event taken here must be started by its kind's route: one that an operator's step kept
     * from {@code engine.start} (a {@code filter} or {@code stop} around it) would otherwise stay
     * held, its hook waiting out its timeout. A failed exchange is intake's to hand back.
     */
    private void startedOrEnded(HeldEvent h, Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                if (h.plan == HeldEvent.Plan.NONE && h.stage() == Stage.CLAIMED) {
                    notStarted.accept(h);
                }
            }
        });
    }

    /**
     * How long a copy that met another worker's live claim stays hidden ({@link #hideHeldCopy(Duration, Duration, int)}).
     */
    private Duration hideHeldCopy(Claims.Held other, int receiveCount) {
        return hideHeldCopy(claims.lease(), Duration.between(clock.instant(), other.leaseEnd()), receiveCount);
    }

    /**
     * How long a message that met another worker's live claim stays hidden. On its first two
     * receives, until the lease could end: the holder's own message is received a second time
     * when the holder died, and then it is what takes the event over once the lease runs out, so
     * it must not wait longer. From the third receive on the holder is evidently alive and
     * renewing (its steps take long), and every receive counts toward the queue's
     * maxReceiveCount: the message is hidden twice as long each time, from twice the lease.
     */
    static Duration hideHeldCopy(Duration lease, Duration untilLeaseEnds, int receiveCount) {
        Duration hide = untilLeaseEnds.plusSeconds(1);
        if (receiveCount > 2) {
            Duration growing = lease.multipliedBy(1L << Math.min(10, receiveCount - 2));
            hide = hide.compareTo(growing) > 0 ? hide : growing;
        }
        return hide.compareTo(Duration.ofHours(11)) > 0 ? Duration.ofHours(11) : hide;
    }
}
