package dev.lifeguard.engine;

import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.store.InstanceFactsStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What is learnt from EC2 before an event's steps run: the instance's addresses, and whether it
 * still lives. EC2 is asked only when steps are about to run and need its answer.
 *
 * <p>Before destructive cleanup that a notification or a cleanup request asked for, a live
 * instance (pending, running, stopping, stopped) means nothing runs and the refusal is recorded.
 */
public final class Preflight {
    /** Kinds whose steps clean up after an instance on someone's say-so. */
    private static final Set<Kind> CHECK_ALIVE_FIRST = Set.of(Kind.TERMINATED, Kind.LAUNCH_ERROR, Kind.TERMINATE_ERROR, Kind.CLEANUP_REQUEST);
    /** Kinds during which the instance exists: the moment to learn its addresses. */
    private static final Set<Kind> LEARN_FACTS =
            Set.of(Kind.LAUNCHING, Kind.TERMINATING, Kind.LAUNCHED, Kind.TO_WARM_POOL, Kind.FROM_WARM_POOL);

    /** The facts steps get, or why they must not run. */
    record Result(InstanceFacts facts, String refusal) {
    }

    private final Ec2Instances ec2;
    private final InstanceFactsStore facts;

    Preflight(Ec2Instances ec2, InstanceFactsStore facts) {
        this.ec2 = ec2;
        this.facts = facts;
    }

    /** Whether the instance exists during this kind of event, so that its addresses are learnt then. */
    public static boolean learnsFacts(Kind kind) {
        return LEARN_FACTS.contains(kind);
    }

    /** Whether EC2 is asked if the instance still lives before this kind's steps (cleanup on someone's say-so). */
    public static boolean checksAliveFirst(Kind kind) {
        return CHECK_ALIVE_FIRST.contains(kind);
    }

    /** @param useFacts whether the group's steps use an instance's addresses (see Profile#usesInstanceFacts) */
    Result check(LifecycleEvent event, boolean useFacts) {
        boolean checkAlive = CHECK_ALIVE_FIRST.contains(event.kind());
        if (!useFacts && !checkAlive) {
            return new Result(event.instanceId() == null ? null : InstanceFacts.unknown(event.instanceId()), null);
        }
        Optional<InstanceFacts> live = event.instanceId() == null ? Optional.empty() : ec2.describe(event.instanceId());
        InstanceFacts known = useFacts ? known(event, live)
                : live.orElse(event.instanceId() == null ? null : InstanceFacts.unknown(event.instanceId()));
        if (CHECK_ALIVE_FIRST.contains(event.kind())) {
            String alive = stillAlive(event, live);
            if (alive != null) {
                return new Result(known, alive);
            }
        }
        return new Result(known, null);
    }

    /**
     * While an instance exists its addresses are learnt and kept; after it is gone the kept ones
     * are used, since EC2 forgets a terminated instance's addresses.
     */
    private InstanceFacts known(LifecycleEvent event, Optional<InstanceFacts> live) {
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
}
