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

    /**
     * Live instances that answer to an IP address or name, for cleanup requests that carry no
     * instance id. The state is checked here too, not only in the filter.
     */
    public List<String> aliveWith(String ipAddress, String nodeName) {
        List<String> alive = new ArrayList<>();
        List<List<Filter>> queries = new ArrayList<>();
        if (ipAddress != null) {
            queries.add(List.of(filter("private-ip-address", ipAddress)));
            queries.add(List.of(filter("ip-address", ipAddress)));
        }
        if (nodeName != null) {
            queries.add(List.of(filter("private-dns-name", nodeName)));
            queries.add(List.of(filter("tag:Name", nodeName)));
        }
        for (List<Filter> filters : queries) {
            List<Filter> withState = new ArrayList<>(filters);
            withState.add(Filter.builder().name("instance-state-name").values(ALIVE).build());
            ec2.describeInstancesPaginator(r -> r.filters(withState)).reservations().stream()
                    .flatMap(reservation -> reservation.instances().stream())
                    .filter(Ec2Instances::isAlive)
                    .filter(instance -> matches(instance, ipAddress, nodeName))
                    .map(Instance::instanceId)
                    .filter(id -> !alive.contains(id))
                    .forEach(alive::add);
        }
        return alive;
    }

    public static boolean isAlive(InstanceFacts facts) {
        return facts.state() != null && ALIVE.contains(facts.state());
    }

    private static boolean isAlive(Instance instance) {
        return instance.state() != null && ALIVE.contains(instance.state().nameAsString());
    }

    /** Filters are applied by EC2; checked again so a stand-in that ignores them cannot mislead. */
    private static boolean matches(Instance instance, String ipAddress, String nodeName) {
        InstanceFacts facts = facts(instance);
        return ipAddress != null && (ipAddress.equals(facts.privateIp()) || ipAddress.equals(facts.publicIp()))
                || nodeName != null && (nodeName.equalsIgnoreCase(facts.privateDns()) || nodeName.equals(facts.nameTag()));
    }

    private static Filter filter(String name, String value) {
        return Filter.builder().name(name).values(value).build();
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
