package dev.lifeguard.profiles;

import java.util.List;

/**
 * Every group's profile. A group gets the profile naming it exactly, else the first whose glob
 * matches (in file order), else the default. Events without a group (cleanup requests naming
 * only a host) get the default.
 */
public record Profiles(List<Profile> groups, Profile fallback) {

    public Profile forGroup(String group) {
        if (group == null) {
            return fallback;
        }
        return groups.stream().filter(p -> !p.isGlob() && p.matches(group)).findFirst()
                .or(() -> groups.stream().filter(p -> p.isGlob() && p.matches(group)).findFirst())
                .orElse(fallback);
    }
}
