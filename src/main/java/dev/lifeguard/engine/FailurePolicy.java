package dev.lifeguard.engine;

import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.Profiles;
import java.util.function.Supplier;

/**
 * When Lifeguard gives up on an event, and what a hook given up on is completed with. Written
 * once, for the three places that must agree: a failure at intake ({@code FailureHandler}), failed
 * steps ({@link EventEngine}) and what {@code plan} tells an operator.
 */
public final class FailurePolicy {
    /** The profile key of each hook transition under {@code on-failure}. */
    private static final String LAUNCHING = "launching";
    private static final String TERMINATING = "terminating";

    private final int maxAttempts;
    private final Choice launching;
    private final Choice terminating;
    private final Supplier<Profiles> profiles;

    /**
     * @param maxAttempts {@code lifeguard.max-attempts}
     * @param launching   a launching hook's result unless its profile names one, and the setting it
     *                    comes from ({@code lifeguard.hook.launching.on-failure})
     * @param terminating the same for a terminating hook
     * @param profiles    the profiles in force: the service's current ones (they are reloaded on
     *                    edit), or the file {@code plan} read
     */
    public FailurePolicy(int maxAttempts, Choice launching, Choice terminating, Supplier<Profiles> profiles) {
        this.maxAttempts = maxAttempts;
        this.launching = launching;
        this.terminating = terminating;
        this.profiles = profiles;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Whether this attempt is the last: a failure that no retry can fix, or the last delivery
     * allowed. Giving up earlier than {@code maxAttempts} on a permanent failure keeps a hook
     * from waiting out every redelivery for a result that cannot change.
     *
     * @param attempt the attempt (or delivery) that failed, from 1
     */
    public boolean givesUp(int attempt, boolean permanent) {
        return permanent || attempt >= maxAttempts;
    }

    /** The result a given-up event's hook is completed with; null for an event that is not a hook. */
    public HookResult hookResult(LifecycleEvent event) {
        return event.isHook() ? forHook(event).result() : null;
    }

    /** The result a hook given up on gets, and what chose it: the group's profile first, else the setting. */
    public Choice forHook(LifecycleEvent hook) {
        boolean launch = hook.isLaunchTransition();
        HookResult fromProfile = profiles.get().forEvent(hook).onFailure(launch ? LAUNCHING : TERMINATING);
        if (fromProfile != null) {
            return new Choice(fromProfile, "the profile's on-failure");
        }
        return launch ? launching : terminating;
    }

    /**
     * @param result   CONTINUE or ABANDON
     * @param chosenBy the group's profile ({@code on-failure}) or the setting, as {@code plan} names it
     */
    public record Choice(HookResult result, String chosenBy) {
    }
}
