package dev.lifeguard.profiles;

import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.MovingClock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.HookResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.Toolbox;
import dev.lifeguard.steps.chef.ChefCleanup;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.route53.Route53Cleanup;
import dev.lifeguard.steps.route53.Route53Upsert;
import dev.lifeguard.steps.salt.SaltAcceptKey;
import dev.lifeguard.steps.salt.SaltDeleteKey;
import dev.lifeguard.steps.salt.SaltState;
import dev.lifeguard.steps.ssm.SsmCommand;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.ssm.SsmClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileStoreTest {
    private static final Map<String, Set<String>> TYPES = Map.of(
            "chef-cleanup", Set.of("knife", "node-name"), "salt-accept", Set.of(), "ssm-command", Set.of(), "route53-cleanup", Set.of());
    private final ProfileLoader loader = new ProfileLoader(TYPES);

    @TempDir
    Path dir;

    @Test
    void theShippedProfilesLoadAndDoNothingButTheExamplesDo() {
        // The real steps, so that every setting the shipped file uses is one they accept.
        CommandRunner commands = new CommandRunner(null);
        Route53Client route53 = Route53Client.builder().region(Region.AWS_GLOBAL).build();
        SsmClient ssm = SsmClient.builder().region(Region.US_EAST_1).build();
        ProfileLoader all = ProfileLoader.of(Toolbox.steps(commands, route53, ssm,
                software.amazon.awssdk.services.ecs.EcsClient.builder().region(Region.US_EAST_1).build()));
        // As shipped, config/profiles.yaml runs no step for any group: safe to start anywhere.
        Profiles shipped = all.load(Path.of("config/profiles.yaml"));
        assertEquals(List.of(), shipped.groups());
        for (String kind : List.of("launching", "terminating", "launched", "terminated", "launch-error", "terminate-error",
                "cleanup-request")) {
            assertEquals(List.of(), shipped.forGroup("web-asg").stepsFor(kind), kind);
        }
        assertEquals(HookResult.ABANDON, shipped.forGroup("web-asg").onFailure("launching"));

        Profiles profiles = all.load(Path.of("examples/profiles.yaml"));
        assertEquals("nomad-*", profiles.forGroup("nomad-clients").match());
        assertEquals("ssm-command", profiles.forGroup("nomad-clients").stepsFor("terminating").get(0).type());
        assertEquals(Duration.ofHours(1), profiles.forGroup("nomad-clients").stepsFor("terminating").get(0).timeout());
        // The YAML alias shares one list between three kinds.
        assertEquals(2, profiles.forGroup("web-asg").stepsFor("cleanup-request").size());
        assertEquals("*", profiles.forGroup("other").match());
        assertEquals(HookResult.ABANDON, profiles.forGroup(null).onFailure("launching"));
        assertEquals("ecs-drain", profiles.forGroup("ecs-workers").stepsFor("terminating").get(0).type());
        dev.lifeguard.event.AccountRegion member = new dev.lifeguard.event.AccountRegion("222222222222", "eu-west-1");
        assertEquals("web-*", profiles.forGroup("web-asg", member).match());
        assertEquals("route53-cleanup", profiles.forGroup("web-asg", member).stepsFor("terminated").get(0).type());
    }

    @Test
    void anExactNameWinsOverAnEarlierGlobAndGlobsGoInFileOrder() throws IOException {
        Profiles profiles = loader.load(write("""
                groups:
                  - match: web-*
                  - match: web-a*
                  - match: web-asg
                """));
        assertEquals("web-asg", profiles.forGroup("web-asg").match());
        assertEquals("web-*", profiles.forGroup("web-abc").match());
        assertEquals("*", profiles.forGroup("db").match());
    }

    @Test
    void anyGroupNameAutoScalingAcceptsCanBeMatchedExactly() throws IOException {
        Profiles profiles = loader.load(write("""
                groups:
                  - match: "web *"
                  - match: "web servers"
                  - match: "prod$green"
                  - match: "arn:aws:prod"
                """));
        assertEquals("web servers", profiles.forGroup("web servers").match());
        assertEquals("prod$green", profiles.forGroup("prod$green").match());
        assertEquals("arn:aws:prod", profiles.forGroup("arn:aws:prod").match());
        assertEquals("web *", profiles.forGroup("web tier").match());
        assertEquals("*", profiles.forGroup("prod-green").match());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "groups: [{match: web-*, steps: {terminating: [{type: ssm}]}}]                     | groups[0] 'web-*' steps.terminating[0]: unknown step type 'ssm'",
        "groups: [{match: web-*, steps: {terminate: []}}]                                  | groups[0] 'web-*' steps: 'terminate' is not one of",
        "groups: [{match: ''}]                                                             | groups[0] match \"\": match must be a group name",
        "groups: [{match: \"web\\0*\"}]                                                      | groups[0] match \"web\\u0000*\": match must be",
        "groups: [{match: web-*}, {match: web-*}]                                          | groups[1] 'web-*': another profile already matches",
        "default: {on-failure: {launching: RETRY}}                                         | default on-failure.launching: must be CONTINUE or ABANDON",
        "groups: [{match: a, steps: {launched: [{type: chef-cleanup, node-name: '{node}'}]}}] | unknown placeholder {node}",
        "groups: [{match: a, steps: {launched: [{type: chef-cleanup}, {type: chef-cleanup}]}}] | two steps are named 'chef-cleanup'",
        "groups: [{match: a, steps: {launched: [{type: chef-cleanup, timeout: soon}]}}]   | 'timeout' must be seconds or an ISO-8601 duration",
        "defaults: {}                                                                      | unknown key 'defaults'",
        "groups: [{match: a, steps: {launched: [{type: chef-cleanup, knfie: /usr/bin/knife}]}}] | chef-cleanup has no setting 'knfie'; it takes [knife, node-name] and timeout",
    })
    void mistakesAreReportedWithWhereTheyAre(String yaml, String message) throws IOException {
        Path file = write(yaml);
        ProfileLoader.InvalidProfilesException error = assertThrows(ProfileLoader.InvalidProfilesException.class, () -> loader.load(file));
        assertTrue(error.getMessage().contains(message), error::getMessage);
    }

    /** AWS allows CR and LF in a group name, so a profile may match one; the error that names it stays one line. */
    @Test
    void aGroupNameWithALineBreakIsEscapedWhereAnErrorNamesIt() throws IOException {
        Path file = write("groups: [{match: \"web\\r\\nFAKE LOG LINE\"}, {match: \"web\\r\\nFAKE LOG LINE\"}]");
        ProfileLoader.InvalidProfilesException error = assertThrows(ProfileLoader.InvalidProfilesException.class, () -> loader.load(file));
        assertEquals("groups[1] \"web\\r\\nFAKE LOG LINE\": another profile already matches \"web\\r\\nFAKE LOG LINE\"",
                error.getMessage());
    }

    @Test
    void anEditIsPickedUpAndABadEditLeavesThePreviousProfilesInForce() throws IOException {
        Path file = write("groups: [{match: web-*, steps: {terminated: [{type: chef-cleanup}]}}]");
        MovingClock clock = new MovingClock();
        ProfileStore store = new ProfileStore(file, loader, clock);
        assertEquals(1, store.current().forGroup("web-1").stepsFor("terminated").size());

        rewrite(file, "groups: [{match: web-*, steps: {terminated: [{type: chef-cleanup}, {type: route53-cleanup}]}}]", 1);
        clock.advance(Duration.ofSeconds(3));
        assertEquals(2, store.current().forGroup("web-1").stepsFor("terminated").size(), "a good edit is applied");

        rewrite(file, "groups: [{match: web-*, steps: {terminated: [{type: knife}]}}]", 2);
        clock.advance(Duration.ofSeconds(3));
        assertEquals(2, store.current().forGroup("web-1").stepsFor("terminated").size(), "a bad edit is rejected");

        rewrite(file, "groups: [{match: web-*, steps: {}}]", 3);
        clock.advance(Duration.ofSeconds(3));
        assertEquals(0, store.current().forGroup("web-1").stepsFor("terminated").size(), "the fixed file is applied");
    }

    @Test
    void anInvalidFileStopsStartUp() throws IOException {
        Path file = write("groups: [{match: web-*, steps: {terminated: [{type: knife}]}}]");
        assertThrows(ProfileLoader.InvalidProfilesException.class, () -> new ProfileStore(file, loader, new MovingClock()));
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("profiles.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    /** Writes and moves the modification time on, as an editor saving the file later would. */
    private static void rewrite(Path file, String yaml, int version) throws IOException {
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z").plusSeconds(version)));
    }
}
