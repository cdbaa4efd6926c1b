package dev.lifeguard.aws;

import dev.lifeguard.steps.InstanceFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * EC2 DescribeInstances: an instance's addresses while it exists, and whether something is
 * still alive before Lifeguard cleans up after it.
 */
public class Ec2Instances {
    /** States in which an instance exists and may serve again: never clean up after these. */
    static final Set<String> ALIVE = Set.of("pending", "running", "stopping", "stopped");

    private final Ec2Client ec2;

    public Ec2Instances(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    public Optional<InstanceFacts> describe(String instanceId) {
        try {
            return ec2.describeInstancesPaginator(r -> r.instanceIds(instanceId)).reservations().stream()
                    .flatMap(reservation -> reservation.instances().stream())
                    .filter(instance -> instanceId.equals(instance.instanceId()))
                    .findFirst()
                    .map(Ec2Instances::facts);
        } catch (Ec2Exception e) {
            if ("InvalidInstanceID.NotFound".equals(e.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
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
    public List<Match> liveMatches(Set<String> addresses, Set<String> names) {
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
