package dev.lifeguard.steps;

/**
 * What EC2 said about an instance while it existed: kept in the table so that cleanup after
 * termination still knows its addresses. Any field may be null.
 */
public record InstanceFacts(String instanceId, String state, String privateIp, String publicIp,
                            String privateDns, String publicDns, String nameTag) {

    public static InstanceFacts unknown(String instanceId) {
        return new InstanceFacts(instanceId, null, null, null, null, null, null);
    }
}
