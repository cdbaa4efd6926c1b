package dev.lifeguard.steps.ecs;

/**
 * What a drain waits on, as the handle recorded on the claim: the cluster and the container
 * instance that was set DRAINING, or {@link #NOT_REGISTERED} when the EC2 instance is a
 * container instance in none of the clusters, so that a worker taking over knows either way
 * without asking ECS again.
 */
record DrainHandle(String cluster, String containerInstanceArn) {
    static final String NOT_REGISTERED = "not-a-container-instance";

    /** Neither part holds a space: cluster names and ARNs are letters, digits and {@code -_:/}. */
    @Override
    public String toString() {
        return cluster + " " + containerInstanceArn;
    }

    /** The handle read back; null for {@link #NOT_REGISTERED}. */
    static DrainHandle parse(String handle) {
        if (NOT_REGISTERED.equals(handle)) {
            return null;
        }
        int space = handle.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException("not an ecs-drain handle: " + handle);
        }
        return new DrainHandle(handle.substring(0, space), handle.substring(space + 1));
    }

    /** The container instance's id, the last part of its ARN, as the ECS console shows it. */
    String id() {
        return containerInstanceArn.substring(containerInstanceArn.lastIndexOf('/') + 1);
    }
}
