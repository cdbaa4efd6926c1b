package dev.lifeguard.steps;

/**
 * One thing to do for an event, named for its intent ("delete this Chef node", "delete these
 * DNS records"); how it is carried out is the implementation's business. A step that finds its
 * work already done reports {@link StepOutcome#alreadyDone}, so that a redelivered event can run
 * it again safely. Failures are thrown, with a message an operator can act on.
 */
public interface Step {
    /** The name profiles use for this step, e.g. {@code route53-cleanup}. */
    String type();

    /**
     * The settings a profile may give this step ({@code timeout} is always allowed). A key
     * outside this set is a typo, and the profile is rejected naming it.
     */
    java.util.Set<String> settings();

    /**
     * Checks the values of a step's settings when the profile is loaded, so that a mistake
     * rejects the profile instead of failing an event. Nothing is read or called here.
     *
     * @throws RuntimeException (IllegalArgumentException or PermanentStepException) naming the setting
     */
    default void check(StepConfig config) {
    }

    /**
     * The kinds of event this step makes sense for (a drain, only for an instance that is
     * leaving); a profile that lists it under another kind is rejected. Every kind by default.
     */
    default java.util.Set<dev.lifeguard.event.Kind> kinds() {
        return java.util.EnumSet.allOf(dev.lifeguard.event.Kind.class);
    }

    StepOutcome run(StepRequest request) throws Exception;
}
