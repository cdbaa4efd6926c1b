package dev.lifeguard.profiles;

import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.LifecycleEvent;
import java.util.List;

/**
 * Every group's profile. A group gets the profile naming it exactly, else the first whose glob
 * matches (in file order), else the default; a profile that lists {@code accounts} or
 * {@code regions} is only for groups in those. Events without a group (cleanup requests naming
 * only a host) get the default.
 */
public record Profiles(List<Profile> groups, Profile fallback) {

    /** The profile of a group whose account and region are not known: one that names none. */
    public Profile forGroup(String group) {
        return forGroup(group, AccountRegion.UNSAID);
    }

    /** The profile of a group in an account and region: a profile naming accounts or regions must name these. */
    public Profile forGroup(String group, AccountRegion where) {
        if (group == null) {
            return fallback;
        }
        return groups.stream().filter(p -> !p.isGlob() && p.matches(group, where)).findFirst()
                .or(() -> groups.stream().filter(p -> p.isGlob() && p.matches(group, where)).findFirst())
                .orElse(fallback);
    }

    /** The profile of an event's group, in the event's account and region. */
    public Profile forEvent(LifecycleEvent event) {
        return forGroup(event.groupName(), event.where());
    }
}
