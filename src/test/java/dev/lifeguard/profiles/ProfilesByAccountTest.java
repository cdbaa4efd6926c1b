package dev.lifeguard.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.AccountRegion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profiles that name accounts and regions: only for groups there, and checked when loaded. */
class ProfilesByAccountTest {
    @TempDir
    Path dir;

    @Test
    void aProfileNamingAccountsOrRegionsIsOnlyForGroupsThere() throws Exception {
        Profiles profiles = load("""
                groups:
                  - match: web-asg
                    accounts: ["222222222222"]
                    max-in-flight: {terminating: 1}
                  - match: web-*
                    regions: [eu-west-1]
                    max-in-flight: {terminating: 2}
                  - match: web-*
                    max-in-flight: {terminating: 3}
                """);
        assertEquals(1, limit(profiles, "web-asg", new AccountRegion("222222222222", "us-east-1")));
        assertEquals(2, limit(profiles, "web-asg", new AccountRegion("333333333333", "eu-west-1")), "exact name, other account: the glob");
        assertEquals(3, limit(profiles, "web-asg", new AccountRegion("333333333333", "us-east-1")));
        assertEquals(3, limit(profiles, "web-asg", AccountRegion.UNSAID), "an event that does not say its account");
        assertEquals(0, limit(profiles, "db", new AccountRegion("222222222222", "eu-west-1")), "the default");
    }

    @Test
    void aBadAccountOrRegionRejectsTheProfilesNamingIt() {
        String account = assertThrows(ProfileLoader.InvalidProfilesException.class,
                () -> load("groups:\n  - match: web\n    accounts: [22222222222]\n")).getMessage();
        assertTrue(account.contains("accounts: \"22222222222\" is not an AWS account id"), account);
        String region = assertThrows(ProfileLoader.InvalidProfilesException.class,
                () -> load("groups:\n  - match: web\n    regions: [\"us east 1\"]\n")).getMessage();
        assertTrue(region.contains("regions: \"us east 1\" is not an AWS region code"), region);
        String empty = assertThrows(ProfileLoader.InvalidProfilesException.class,
                () -> load("groups:\n  - match: web\n    regions: []\n")).getMessage();
        assertTrue(empty.contains("regions: must be a list of at least one value"), empty);
        String twice = assertThrows(ProfileLoader.InvalidProfilesException.class,
                () -> load("groups:\n  - match: web\n    accounts: [\"222222222222\"]\n  - match: web\n    accounts: [\"222222222222\"]\n"))
                .getMessage();
        assertTrue(twice.contains("another profile already matches 'web' in the same accounts and regions"), twice);
    }

    private static int limit(Profiles profiles, String group, AccountRegion where) {
        return profiles.forGroup(group, where).maxInFlight("terminating");
    }

    private Profiles load(String yaml) throws Exception {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml);
        return ProfileLoader.of(Map.of()).load(file);
    }
}
