package dev.lifeguard.steps;

import dev.lifeguard.event.LifecycleEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what a kind's steps would do for an event and runs nothing. Stands in for the Chef,
 * Salt, Route53 and SSM steps until a group's profile names real ones.
 */
public class DryRunStep {
    private static final Logger LOG = LoggerFactory.getLogger(DryRunStep.class);

    /** @return the line recorded as the event's steps */
    public String describe(LifecycleEvent event, String route, String intent) {
        String line = route + ": dry-run: would " + intent + " for " + event.describe();
        LOG.info(line);
        return line;
    }
}
