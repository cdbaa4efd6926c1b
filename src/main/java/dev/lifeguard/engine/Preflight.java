package dev.lifeguard.engine;

import dev.lifeguard.aws.BatchedLookUps;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.store.InstanceFactsStore;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * What is learnt from EC2 before an event's steps run: the instance's addresses, and whether it
 * still lives. EC2 is asked only when steps are about to run and need its answer.
 *
 * <p>Before destructive cleanup that a notification or a cleanup request asked for, nothing the
 * steps will act on may belong to a live instance (pending, running, stopping, stopped): not the
 * instance id, and not a node name or address, whether the message carries it or it was learnt
 * while the instance lived (an address is reused within minutes of its instance's end). Otherwise
 * nothing runs and the refusal, naming what matched which instance, is recorded.
 */
public final class Preflight {
    /** Kinds whose steps clean up after an instance on someone's say-so. */
    private static final Set<Kind> CHECK_ALIVE_FIRST = Set.of(Kind.TERMINATED, Kind.LAUNCH_ERROR, Kind.TERMINATE_ERROR, Kind.CLEANUP_REQUEST);
    /** Kinds during which the instance exists: the moment to learn its addresses. */
    private static final Set<Kind> LEARN_FACTS =
            Set.of(Kind.LAUNCHING, Kind.TERMINATING, Kind.LAUNCHED, Kind.TO_WARM_POOL, Kind.FROM_WARM_POOL);

    /** The facts steps get, or why they must not run. */
    public record Result(InstanceFacts facts, Refusal refusal, String reason) {
        Result(InstanceFacts facts) {
            this(facts, null, null);
        }
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

    /**
     * Asks EC2 about the instance ahead of {@link #check}, when the check will want its addresses
     * while it exists: look-ups of events arriving together then share calls, instead of going out
     * one by one as each event's steps start. Null when there is nothing to ask ahead.
     */
    CompletableFuture<Optional<InstanceFacts>> describeAhead(LifecycleEvent event, boolean useFacts) {
        return useFacts && LEARN_FACTS.contains(event.kind()) && event.instanceId() != null ? ec2.lookUp(event.where(), event.instanceId()) : null;
    }

    /**
     * @param useFacts  whether the group's steps use an instance's addresses (see Profile#usesInstanceFacts)
     * @param described what {@link #describeAhead} asked, or null to ask now
     */
    Result check(LifecycleEvent event, boolean useFacts, CompletableFuture<Optional<InstanceFacts>> described) {
        boolean checkAlive = CHECK_ALIVE_FIRST.contains(event.kind());
        if (!useFacts && !checkAlive) {
            return new Result(event.instanceId() == null ? null : InstanceFacts.unknown(event.instanceId()));
        }
        Optional<InstanceFacts> live = event.instanceId() == null ? Optional.empty()
                : described != null ? BatchedLookUps.join(described) : ec2.describe(event.where(), event.instanceId());
        InstanceFacts known = useFacts ? known(event, live)
                : live.orElse(event.instanceId() == null ? null : InstanceFacts.unknown(event.instanceId()));
        if (checkAlive) {
            Result alive = alive(event, live, known, ec2);
            if (alive != null) {
                return alive;
            }
        }
        return new Result(known);
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

    /**
     * Why cleanup on someone's say-so must not go ahead, or null: the instance lives, or a live
     * instance answers to a name or address the steps would use. Also what {@code plan --describe} shows.
     */
    public static Result alive(LifecycleEvent event, Optional<InstanceFacts> live, InstanceFacts known, Ec2Instances ec2) {
        if (live.filter(Ec2Instances::isAlive).isPresent()) {
            return new Result(known, Refusal.INSTANCE_ALIVE,
                    "instance " + event.instanceId() + " is still " + live.get().state() + " in EC2");
        }
        List<Ec2Instances.Match> matches = liveMatches(event, known, ec2);
        if (!matches.isEmpty()) {
            return new Result(known, Refusal.IDENTIFIER_ALIVE,
                    matches.stream().map(Ec2Instances.Match::toString).collect(Collectors.joining("; ")));
        }
        return null;
    }

    /**
     * Live instances answering to any name or address the steps may act on: the message's own
     * node name and address, and the addresses and names learnt for its instance (which is not
     * alive itself, or it was refused already).
     */
    private static List<Ec2Instances.Match> liveMatches(LifecycleEvent event, InstanceFacts known, Ec2Instances ec2) {
        Set<String> addresses = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        add(addresses, event.ipAddress());
        add(names, event.nodeName());
        if (known != null) {
            add(addresses, known.privateIp());
            add(addresses, known.publicIp());
            add(names, known.privateDns());
            add(names, known.nameTag());
        }
        if (addresses.isEmpty() && names.isEmpty()) {
            return List.of();
        }
        return ec2.liveMatches(event.where(), addresses, names);
    }

    private static void add(Set<String> values, String value) {
        if (value != null && !value.isBlank()) {
            values.add(value);
        }
    }
}
