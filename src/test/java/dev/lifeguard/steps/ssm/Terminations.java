package dev.lifeguard.steps.ssm;

import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepRequest;
import java.util.Map;
import java.util.UUID;

/** Seed 001's TERMINATING hook for one instance, as the SSM step tests receive it. */
final class Terminations {
    static final String GROUP = "nomad-clients";
    static final String HOOK = "graceful_shutdown_asg";

    private Terminations() {
    }

    static LifecycleEvent hook(String instanceId) {
        return new LifecycleEvent(Kind.TERMINATING, Kind.TERMINATING.eventName(), Envelope.DIRECT, GROUP, instanceId,
                HOOK, UUID.randomUUID().toString(), null, UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "2026-02-26T21:09:59.517Z", null, null, null, null, null);
    }

    static StepRequest request(String instanceId, Map<String, Object> config, boolean dryRun, Heartbeat heartbeat) {
        return new StepRequest(hook(instanceId), InstanceFacts.unknown(instanceId), new StepConfig("drain", config), dryRun, heartbeat);
    }
}
