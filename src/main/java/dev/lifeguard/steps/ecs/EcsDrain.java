package dev.lifeguard.steps.ecs;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.event.Kind;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.WaitingStep;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerInstance;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Drains an ECS container instance before its EC2 instance leaves: finds it in the configured
 * cluster (or the first of those listed that has it), sets it {@code DRAINING}, so that ECS
 * places nothing new there and its services start their tasks elsewhere, and waits until no
 * service task runs there any more. Tasks no service started are nobody's to move: per
 * {@code standalone-tasks} they are waited for or left, and named in the outcome either way.
 * An instance that is a container instance in none of the clusters is a skip, with that reason.
 *
 * <p>Profile keys: {@code cluster} (required; a name or ARN, or a list), {@code timeout} (the
 * step's own), {@code poll-interval} (10 s: each look is three ECS calls, and ECS's request
 * rate is shared by the whole account), {@code standalone-tasks} ({@code wait}, the default, or
 * {@code leave}). Only for terminating hooks and hooks to the warm pool.
 *
 * <p>The engine parks it ({@link WaitingStep}): {@link #start} sets the instance DRAINING and
 * returns the cluster and container instance as the handle, {@link #check} lists what still
 * runs there. Every call goes to the event's own account and region.
 */
public class EcsDrain implements WaitingStep {
    private static final Logger LOG = LoggerFactory.getLogger(EcsDrain.class);
    /** What a service's tasks carry in {@code group}: ECS sets {@code service:<name>} on every task a service starts. */
    private static final String SERVICE_GROUP = "service:";

    private final PerAccount<EcsClient> ecs;

    public EcsDrain(PerAccount<EcsClient> ecs) {
        this.ecs = Objects.requireNonNull(ecs, "ecs");
    }

    @Override
    public String type() {
        return "ecs-drain";
    }

    @Override
    public Set<String> settings() {
        return Set.of("cluster", "poll-interval", "standalone-tasks");
    }

    @Override
    public void check(StepConfig config) {
        DrainSettings.of(config);
    }

    /** A drain is for an instance that leaves the group: terminated, or stopped into the warm pool. */
    @Override
    public Set<Kind> kinds() {
        return Set.of(Kind.TERMINATING, Kind.TO_WARM_POOL);
    }

    @Override
    public StepOutcome run(StepRequest request) throws Exception {
        String instanceId = instanceId(request);
        DrainSettings settings = DrainSettings.of(request.config());
        if (request.dryRun()) {
            return StepOutcome.skipped("would set the container instance of " + instanceId + " in " + clusters(settings)
                    + " DRAINING and wait for its service tasks" + (settings.standaloneTasks() == DrainSettings.Standalone.WAIT
                    ? " and standalone tasks" : "") + " to stop");
        }
        // Outside the engine (which parks the step instead): the same looks, holding this thread.
        String handle = start(request);
        Heartbeat heartbeat = request.heartbeat() != null ? request.heartbeat() : Heartbeat.NONE;
        Instant deadline = Instant.now().plus(settings.timeout());
        while (true) {
            StepOutcome outcome = check(request, handle);
            if (outcome != null) {
                return outcome;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw timedOut(request, handle, "in progress");
            }
            heartbeat.beat();
            Thread.sleep(settings.pollInterval().toMillis());
        }
    }

    @Override
    public String start(StepRequest request) {
        String instanceId = instanceId(request);
        DrainSettings settings = DrainSettings.of(request.config());
        EcsCalls calls = calls(request);
        for (String cluster : settings.clusters()) {
            ContainerInstance found = calls.find(cluster, instanceId);
            if (found != null) {
                DrainHandle instance = new DrainHandle(cluster, found.containerInstanceArn());
                calls.drain(instance);
                LOG.info("ecs-drain: container instance {} of {} in cluster {} set DRAINING (was {}, {} task(s) running)",
                        instance.id(), instanceId, cluster, found.status(), found.runningTasksCount());
                return instance.toString();
            }
        }
        return DrainHandle.NOT_REGISTERED;
    }

    @Override
    public StepOutcome check(StepRequest request, String handle) {
        DrainHandle instance = DrainHandle.parse(handle);
        if (instance == null) {
            return StepOutcome.skipped(instanceId(request) + " is not a container instance in "
                    + clusters(DrainSettings.of(request.config())) + ": nothing to drain");
        }
        Left left = Left.of(calls(request).tasksOn(instance));
        boolean waitForStandalone = DrainSettings.of(request.config()).standaloneTasks() == DrainSettings.Standalone.WAIT;
        if (!left.services().isEmpty() || (waitForStandalone && !left.standalone().isEmpty())) {
            return null;
        }
        String drained = "container instance " + instance.id() + " in cluster " + instance.cluster() + " is DRAINING and runs no service task";
        return StepOutcome.succeeded(left.standalone().isEmpty() ? drained : drained + "; left standalone tasks " + left.standalone());
    }

    @Override
    public Duration checkEvery(StepRequest request) {
        return DrainSettings.of(request.config()).pollInterval();
    }

    /** Says what still runs there; the instance stays DRAINING, since it is leaving either way. */
    @Override
    public Exception timedOut(StepRequest request, String handle, String lastStatus) {
        DrainHandle instance = DrainHandle.parse(handle);
        if (instance == null) {
            return new IllegalStateException(instanceId(request) + " is not a container instance; the step timed out before it said so");
        }
        String still;
        try {
            Left left = Left.of(calls(request).tasksOn(instance));
            still = "still runs service tasks " + left.services() + " and standalone tasks " + left.standalone();
        } catch (RuntimeException e) {
            // The timeout is the failure to report; not knowing what is left only adds to it.
            still = "what still runs there is unknown: " + e.getMessage();
        }
        LOG.warn("ecs-drain: container instance {} in cluster {} timed out: {}", instance.id(), instance.cluster(), still);
        return new IllegalStateException("container instance " + instance.id() + " of " + instanceId(request) + " in cluster "
                + instance.cluster() + " " + still + " after " + DrainSettings.of(request.config()).timeout().toSeconds()
                + " s; it stays DRAINING");
    }

    private EcsCalls calls(StepRequest request) {
        return new EcsCalls(ecs.in(request.event().where()));
    }

    private static String instanceId(StepRequest request) {
        return request.instanceId("drain");
    }

    private static String clusters(DrainSettings settings) {
        return settings.clusters().size() == 1 ? "cluster " + settings.clusters().get(0) : "clusters " + settings.clusters();
    }

    /**
     * The tasks on a draining instance, counted by group: {@code service:web ×2} for a service's,
     * {@code family:backup ×1} for others, so that an outcome names them without growing with them.
     */
    record Left(Map<String, Integer> services, Map<String, Integer> standalone) {
        static Left of(List<Task> tasks) {
            Map<String, Integer> services = new TreeMap<>();
            Map<String, Integer> standalone = new TreeMap<>();
            for (Task task : tasks) {
                String group = task.group() == null ? "(no group)" : task.group();
                (group.startsWith(SERVICE_GROUP) ? services : standalone).merge(group, 1, Integer::sum);
            }
            return new Left(services, standalone);
        }
    }
}
