package dev.lifeguard.profiles;

import dev.lifeguard.steps.StepConfig;
import java.time.Duration;

/** One step of a profile: which kind of step, its name in outcomes, its time limit, its settings. */
public record StepSpec(String name, String type, Duration timeout, StepConfig config) {
}
