package dev.lifeguard.aws;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.AccountRegion;
import java.util.concurrent.ConcurrentHashMap;
import dev.lifeguard.steps.InstanceFacts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * EC2 DescribeInstances: an instance's addresses while it exists, and whether something is
 * still alive before Lifeguard cleans up after it. Instances are described in batches: look-ups
 * asked for within a few tens of milliseconds share one call of up to 1,000 ids
 * ({@link BatchedLookUps}), so a thousand events arriving together cost a few calls, not a
 * thousand at EC2's rate of some 20 a second.
 */
public class Ec2Instances implements AutoCloseable {
    /** States in which an instance exists and may serve again: never clean up after these. */
    static final Set<String> ALIVE = Set.of("pending", "running", "stopping", "stopped");
    /** The most values one filter of DescribeInstances takes. */
    static final int MAX_IDS = 1000;
    /** Long enough for events arriving together to share a call; nothing next to a hook's timeout. */
    static final Duration WINDOW = Duration.ofMillis(50);

    private final PerAccount<Ec2Client> ec2;
    /** One batch per account and region: a call names instances of one account and region only. */
    private final Map<AccountRegion, BatchedLookUps<InstanceFacts>> lookUps = new ConcurrentHashMap<>();

    /** Every call goes to the event's own account and region. */
    public Ec2Instances(PerAccount<Ec2Client> ec2) {
        this.ec2 = ec2;
    }

    public Ec2Instances(Ec2Client ec2) {
        this(PerAccount.only(ec2));
    }

    /** The instance as EC2 describes it now, or empty when EC2 does not know it; waits for its batch. */
    public Optional<InstanceFacts> describe(AccountRegion where, String instanceId) {
        return BatchedLookUps.join(lookUp(where, instanceId));
    }

    /** The same, without waiting: answered when the batch this look-up joins is. */
    public CompletableFuture<Optional<InstanceFacts>> lookUp(AccountRegion where, String instanceId) {
        return lookUps.computeIfAbsent(ec2.place(where), place -> new BatchedLookUps<>("DescribeInstances", WINDOW, MAX_IDS,
                ids -> describeAll(ec2.in(place), ids))).lookUp(instanceId);
    }

    /**
     * One call for many ids. They go in the {@code instance-id} filter, not as InstanceIds, which
     * fails the whole call when one id does not exist; an id EC2 does not know is simply absent.
     */
    private static Map<String, InstanceFacts> describeAll(Ec2Client ec2, List<String> ids) {
        Map<String, InstanceFacts> found = new HashMap<>();
        ec2.describeInstancesPaginator(r -> r.filters(filter("instance-id", ids))).reservations().stream()
                .flatMap(reservation -> reservation.instances().stream())
                .filter(instance -> ids.contains(instance.instanceId()))
                .forEach(instance -> found.put(instance.instanceId(), facts(instance)));
        return found;
    }

    @Override
    public void close() {
        lookUps.values().forEach(BatchedLookUps::close);
    }

    /** A live instance that answers to one of the identifiers asked about. */
    public record Match(String identifier, String instanceId, String state) {
        @Override
        public String toString() {
            return identifier + " belongs to live instance " + instanceId + " (" + state + ")";
        }
    }

    /**
     * Live instances that answer to any of these addresses (private or public IP) or names
     * (private DNS name, Name tag): at most four calls, one per kind of match, each naming every
     * value. The state and the match are checked here too, not only by EC2's filters.
     */
    public List<Match> liveMatches(AccountRegion where, Set<String> addresses, Set<String> names) {
        Ec2Client ec2 = this.ec2.in(where);
        List<Match> matches = new ArrayList<>();
        List<Filter> queries = new ArrayList<>();
        if (!addresses.isEmpty()) {
            queries.add(filter("private-ip-address", addresses));
            queries.add(filter("ip-address", addresses));
        }
        if (!names.isEmpty()) {
            queries.add(filter("private-dns-name", names));
            queries.add(filter("tag:Name", names));
        }
        for (Filter query : queries) {
            List<Filter> withState = List.of(query, filter("instance-state-name", ALIVE));
            ec2.describeInstancesPaginator(r -> r.filters(withState)).reservations().stream()
                    .flatMap(reservation -> reservation.instances().stream())
                    .filter(Ec2Instances::isAlive)
                    .forEach(instance -> {
                        InstanceFacts facts = facts(instance);
                        for (String identifier : matched(facts, addresses, names)) {
                            Match match = new Match(identifier, instance.instanceId(), facts.state());
                            if (!matches.contains(match)) {
                                matches.add(match);
                            }
                        }
                    });
        }
        return matches;
    }

    public static boolean isAlive(InstanceFacts facts) {
        return facts.state() != null && ALIVE.contains(facts.state());
    }

    private static boolean isAlive(Instance instance) {
        return instance.state() != null && ALIVE.contains(instance.state().nameAsString());
    }

    /** Filters are applied by EC2; checked again so a stand-in that ignores them cannot mislead. */
    private static List<String> matched(InstanceFacts facts, Set<String> addresses, Set<String> names) {
        List<String> matched = new ArrayList<>();
        for (String address : addresses) {
            if (address.equals(facts.privateIp()) || address.equals(facts.publicIp())) {
                matched.add("address " + address);
            }
        }
        for (String name : names) {
            if (name.equalsIgnoreCase(facts.privateDns()) || name.equals(facts.nameTag())) {
                matched.add("name " + name);
            }
        }
        return matched;
    }

    private static Filter filter(String name, java.util.Collection<String> values) {
        return Filter.builder().name(name).values(values).build();
    }

    private static InstanceFacts facts(Instance instance) {
        String name = instance.tags().stream().filter(t -> "Name".equals(t.key())).map(t -> t.value()).findFirst().orElse(null);
        return new InstanceFacts(instance.instanceId(),
                instance.state() == null ? null : instance.state().nameAsString(),
                blankToNull(instance.privateIpAddress()), blankToNull(instance.publicIpAddress()),
                blankToNull(instance.privateDnsName()), blankToNull(instance.publicDnsName()), name);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
