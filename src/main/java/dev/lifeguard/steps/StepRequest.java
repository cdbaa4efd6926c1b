package dev.lifeguard.steps;

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
}
