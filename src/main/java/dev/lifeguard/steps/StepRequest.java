package dev.lifeguard.steps;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.LifecycleEvent;

/**
 * Everything a step gets: the event, the instance's facts, its settings from the profile, and
 * the means to keep a hook alive.
 *
 * @param dryRun when true the step must change nothing and say what it would have done
 */
public record StepRequest(LifecycleEvent event, InstanceFacts facts, StepConfig config, boolean dryRun, Heartbeat heartbeat) {

    /** Renders a profile template such as {@code {group}-{instanceId}} for this event. */
    public String render(String template) {
        return Templates.render(template, event, facts);
    }

    /**
     * The instance a step acts on: the event's, or the one its facts name. Facts come from our
     * table, not from a validated message, so the id is checked again here, where it is handed on.
     *
     * @param purpose what the step would do to it, for the message when there is none ("run an SSM command on")
     */
    public String instanceId(String purpose) {
        String id = event.instanceId();
        if (id == null && facts != null) {
            id = facts.instanceId();
        }
        if (id == null) {
            throw new IllegalArgumentException("step " + config.stepName() + ": " + event.describe()
                    + " names no instance, so there is nothing to " + purpose);
        }
        if (!Identifiers.isInstanceId(id)) {
            throw new PermanentStepException("step " + config.stepName() + ": instance id "
                    + Identifiers.quote(id) + " is not an EC2 instance id");
        }
        return id;
    }
}
