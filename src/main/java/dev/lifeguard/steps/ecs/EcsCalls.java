package dev.lifeguard.steps.ecs;

import dev.lifeguard.steps.PermanentStepException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.ContainerInstanceStatus;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.AccessDeniedException;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.InvalidParameterException;
import software.amazon.awssdk.services.ecs.model.ListContainerInstancesResponse;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.UpdateContainerInstancesStateResponse;

/**
 * The ECS calls of a drain, on one account's and region's client. An error no retry can change
 * (a cluster that does not exist, an access denial, a parameter ECS refuses) fails the step
 * permanently; throttling and ECS's own failures stay as they are, to be retried or looked at again.
 */
final class EcsCalls {
    /** DescribeContainerInstances and DescribeTasks take at most 100 a call. */
    private static final int PER_DESCRIBE = 100;

    private final EcsClient ecs;

    EcsCalls(EcsClient ecs) {
        this.ecs = ecs;
    }

    /**
     * The container instance in {@code cluster} that runs on the EC2 instance, or null. The
     * filter does the finding; the describe confirms it, since a filter ECS does not apply
     * would otherwise drain another instance of the cluster.
     */
    ContainerInstance find(String cluster, String instanceId) {
        List<String> arns = new ArrayList<>();
        String next = null;
        do {
            String token = next;
            ListContainerInstancesResponse page = call(() -> ecs.listContainerInstances(r -> r.cluster(cluster)
                    .filter("ec2InstanceId == " + instanceId).nextToken(token)));
            arns.addAll(page.containerInstanceArns());
            next = page.nextToken();
        } while (next != null);
        for (int i = 0; i < arns.size(); i += PER_DESCRIBE) {
            List<String> some = arns.subList(i, Math.min(arns.size(), i + PER_DESCRIBE));
            for (ContainerInstance found : call(() -> ecs.describeContainerInstances(r -> r.cluster(cluster).containerInstances(some)))
                    .containerInstances()) {
                if (instanceId.equals(found.ec2InstanceId())) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Sets the container instance DRAINING: ECS stops placing tasks there and moves its services' tasks away. */
    void drain(DrainHandle instance) {
        UpdateContainerInstancesStateResponse answer = call(() -> ecs.updateContainerInstancesState(r -> r
                .cluster(instance.cluster()).containerInstances(instance.containerInstanceArn())
                .status(ContainerInstanceStatus.DRAINING)));
        if (!answer.failures().isEmpty()) {
            var failure = answer.failures().get(0);
            throw new PermanentStepException("ECS did not set container instance " + instance.id() + " in cluster "
                    + instance.cluster() + " DRAINING: " + failure.reason() + (failure.detail() == null ? "" : " (" + failure.detail() + ")"));
        }
    }

    /**
     * The tasks still on the container instance: those meant to run, and those ECS is stopping
     * whose containers have not yet stopped (a service task given its stop timeout to finish
     * its requests is still there until it has).
     */
    List<Task> tasksOn(DrainHandle instance) {
        List<String> arns = new ArrayList<>(taskArns(instance, DesiredStatus.RUNNING));
        arns.addAll(taskArns(instance, DesiredStatus.STOPPED));
        List<Task> there = new ArrayList<>();
        for (int i = 0; i < arns.size(); i += PER_DESCRIBE) {
            List<String> some = arns.subList(i, Math.min(arns.size(), i + PER_DESCRIBE));
            call(() -> ecs.describeTasks(r -> r.cluster(instance.cluster()).tasks(some))).tasks().stream()
                    .filter(task -> !"STOPPED".equals(task.lastStatus()))
                    .forEach(there::add);
        }
        return there;
    }

    private List<String> taskArns(DrainHandle instance, DesiredStatus desired) {
        List<String> arns = new ArrayList<>();
        String next = null;
        do {
            String token = next;
            ListTasksResponse page = call(() -> ecs.listTasks(r -> r.cluster(instance.cluster())
                    .containerInstance(instance.containerInstanceArn()).desiredStatus(desired).nextToken(token)));
            arns.addAll(page.taskArns());
            next = page.nextToken();
        } while (next != null);
        return arns;
    }

    private static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (ClusterNotFoundException | AccessDeniedException | InvalidParameterException | ClientException e) {
            // ClientException is ECS's word for a request it will never accept (an inactive
            // cluster, an identifier that is not valid); throttling and ServerException are not among these.
            String code = e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode();
            throw new PermanentStepException("ECS refused the drain: " + code + ": " + e.getMessage(), e);
        }
    }
}
