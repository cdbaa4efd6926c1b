package dev.lifeguard.event;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a lifecycle hook was completed with. The constant's name is the word Auto Scaling takes
 * ({@code LifecycleActionResult}) and the one written to the outcome record's {@code hookResult},
 * the log and the {@code result} label of {@code lifeguard_completions_total}: never renamed.
 */
public enum HookResult {
    /** The instance goes on: launched into service, or terminated after its steps. */
    CONTINUE,
    /** A launching instance is terminated; a terminating one is terminated anyway. */
    ABANDON,
    /**
     * Not a result Lifeguard asks for: recorded when Auto Scaling answered that the action had
     * ended already (completed by an earlier attempt, or timed out), so nothing was completed.
     */
    NOT_ACTIVE;

    /** The results an operator may choose for a hook whose steps failed. */
    public static final Set<HookResult> CHOICES = EnumSet.of(CONTINUE, ABANDON);

    /** The choice a setting or a profile names, in any case; empty when it names none of {@link #CHOICES}. */
    public static Optional<HookResult> choice(String word) {
        String upper = word == null ? "" : word.trim().toUpperCase(Locale.ROOT);
        return CHOICES.stream().filter(r -> r.name().equals(upper)).findFirst();
    }

    /** {@code CONTINUE or ABANDON}, for the message that refuses anything else. */
    public static String describeChoices() {
        return CHOICES.stream().map(Enum::name).collect(Collectors.joining(" or "));
    }
}
