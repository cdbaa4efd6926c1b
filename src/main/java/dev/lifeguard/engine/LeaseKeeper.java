package dev.lifeguard.engine;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.log.EventContext;
import dev.lifeguard.store.Claims;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the claims of held events: renewed every third of the lease while an event is in
 * progress or finishing, and tells whether a claim may have lapsed, so that a replica cut off
 * from DynamoDB starts nothing and completes nothing an event another replica may now hold.
 */
final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final Claims claims;
    private final Clock clock;
    private final UrgentFirst work;
    private final StepRuns runs;
    private final Consumer<HeldEvent> lost;

    /** @param lost called when a renewal finds the claim taken over */
    LeaseKeeper(Claims claims, Clock clock, UrgentFirst work, StepRuns runs, Consumer<HeldEvent> lost) {
        this.claims = claims;
        this.clock = clock;
        this.work = work;
        this.runs = runs;
        this.lost = lost;
    }

    /** Called every second: renews the claims that are due, on the work threads. */
    void renewDue(Collection<HeldEvent> held) {
        Instant now = clock.instant();
        for (HeldEvent h : held) {
            HeldEvent.LeaseState lease = h.lease;
            if (lease.renewDue == null || lease.renewDue.isAfter(now) || !h.stage().leased()) {
                continue;
            }
            lease.renewDue = now.plus(claims.lease().dividedBy(3));
            work.execute(EventContext.wrap(h.event, () -> renew(h)));
        }
    }

    private void renew(HeldEvent h) {
        try {
            Instant until = clock.instant().plus(claims.lease());
            Claims.Renewal renewal = claims.renewal(h.key());
            if (!renewal.ours()) {
                lost.accept(h);
                return;
            }
            h.lease.renewed(until);
            // Another replica heard that a command of this event may have ended.
            if (!renewal.pushed().isEmpty()) {
                runs.lookNow(h, renewal.pushed());
            }
        } catch (RuntimeException e) {
            // Retried shortly; the lease has two more thirds to run.
            Outages.warnUnlessOutage(LOG, e, "Could not renew the claim on {}: {}", h.event.describe(), StepFailures.describe(e));
            h.lease.renewDue = clock.instant().plusSeconds(5);
        }
    }

    /**
     * Whether this replica's claim may have run out: its last successful write to the claim is a
     * lease ago (less a tenth, for the call about to be made).
     */
    boolean lapsed(HeldEvent h) {
        return !clock.instant().isBefore(h.lease.until.minus(claims.lease().dividedBy(10)));
    }

    /** Says once per lapse that the event waits for a renewal before {@code what}. */
    void logLapse(HeldEvent h, String what) {
        if (!h.lease.lapseLogged) {
            h.lease.lapseLogged = true;
            LOG.warn("The claim on {} could not be renewed for {} s (DynamoDB unreachable?); not {} until it is renewed,"
                    + " or left to the worker that took it over", h.event.describe(), claims.lease().toSeconds(), what);
        }
    }
}
