package dev.lifeguard.steps.route53;

import dev.lifeguard.accounts.PerAccount;
import static dev.lifeguard.steps.route53.MotoZones.INSTANCE;
import static dev.lifeguard.steps.route53.MotoZones.PRIVATE_DNS;
import static dev.lifeguard.steps.route53.MotoZones.PRIVATE_IP;
import static dev.lifeguard.steps.route53.MotoZones.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.StepOutcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Route53Cleanup against moto_server over the wire. moto refuses a DELETE that does not match
 * the stored set exactly (values, order, TTL, set identifier), so a surviving or failing record
 * here means the step rebuilt a record instead of sending it as read.
 */
class Route53CleanupTest {
    private static final Route53Client route53 = MotoZones.route53();
    private static final AtomicInteger CALLS = MotoZones.CALLS;

    private String zoneName;
    private String zone;
    private Map<String, String> before;

    /** A zone holding every kind of record the step must delete, reduce or leave alone. */
    @BeforeEach
    void zoneWithTheInstancesRecords() {
        zoneName = MotoZones.uniqueZoneName();
        zone = MotoZones.createZone(route53, zoneName);
        MotoZones.create(route53, zone,
                // named after the instance, pointing at an address the step does not know: by name only
                record(INSTANCE + "." + zoneName, "A", 60, "203.0.113.7"),
                // same name, a type outside the default types: survives
                record(INSTANCE + "." + zoneName, "TXT", 60, "\"owner=web-asg\""),
                // another name, the instance's private IP: by value
                record("app." + zoneName, "A", 120, PRIVATE_IP),
                // shared with a neighbour, ours listed second: reduced to the neighbour
                record("pool." + zoneName, "A", 300, "10.0.0.6", PRIVATE_IP),
                // CNAME to the instance's private DNS name: by value
                record("alias." + zoneName, "CNAME", 60, PRIVATE_DNS),
                // unrelated: survive
                record("db." + zoneName, "A", 60, "10.0.0.99"),
                record("www." + zoneName, "CNAME", 60, "other.example.com"));
        // Weighted sets: the DELETE must carry SetIdentifier and Weight, and the neighbour stays.
        MotoZones.create(route53, zone, weighted("blue", PRIVATE_IP, 10), weighted("green", "10.0.0.7", 20));
        before = MotoZones.snapshot(route53, zone);
    }

    private ResourceRecordSet weighted(String set, String value, long weight) {
        return record("weighted." + zoneName, "A", 60, value).toBuilder().setIdentifier(set).weight(weight).build();
    }

    /** What must be left of the zone after the instance's cleanup with the default settings. */
    private Map<String, String> expectedAfterCleanup() {
        Map<String, String> expected = new TreeMap<>(before);
        expected.remove(INSTANCE + "." + zoneName + ". A");
        expected.remove("app." + zoneName + ". A");
        expected.remove("alias." + zoneName + ". CNAME");
        expected.remove("weighted." + zoneName + ". A [blue]");
        expected.put("pool." + zoneName + ". A", "300 10.0.0.6");
        return expected;
    }

    private Map<String, Object> config(Object zones, Object names) {
        Map<String, Object> config = new HashMap<>();
        config.put("zones", zones);
        config.put("names", names);
        return config;
    }

    private StepOutcome run(Route53Cleanup step, Map<String, Object> config, boolean dryRun) {
        return step.run(MotoZones.request(MotoZones.terminated(), MotoZones.facts(), config, dryRun, Heartbeat.NONE));
    }

    @Test
    void deletesExactlyTheInstancesRecordsAndReducesTheSharedOne() {
        // "/hostedzone/" prefix, upper case and no trailing dot: all normalised by the step.
        Map<String, Object> config = config(List.of("/hostedzone/" + zone),
                List.of("{instanceId}." + zoneName.toUpperCase(Locale.ROOT)));

        StepOutcome outcome = run(new Route53Cleanup(PerAccount.only(route53)), config, false);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(expectedAfterCleanup(), MotoZones.snapshot(route53, zone));
        assertTrue(outcome.detail().contains(INSTANCE + "." + zoneName + ". A"), outcome.detail());
        assertTrue(outcome.detail().contains("alias." + zoneName + ". CNAME"), outcome.detail());
        assertTrue(outcome.detail().contains("upserted without the instance's values: " + zone + " pool." + zoneName
                + ". A (kept 10.0.0.6)"), outcome.detail());
    }

    @Test
    void followsEveryPageOfTheListing() {
        // moto cannot page inside a weighted pair (see the next test), so this zone has none.
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.changes(
                c -> c.action(ChangeAction.DELETE).resourceRecordSet(weighted("blue", PRIVATE_IP, 10)),
                c -> c.action(ChangeAction.DELETE).resourceRecordSet(weighted("green", "10.0.0.7", 20)))));
        Map<String, String> expected = expectedAfterCleanup();
        expected.remove("weighted." + zoneName + ". A [green]");
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName + "."));

        // One record per page: the records to delete are spread over seven pages.
        StepOutcome outcome = run(new Route53Cleanup(PerAccount.only(route53), 1), config, false);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(expected, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aListingThatDoesNotAdvanceFailsInsteadOfLooping() {
        // moto 5.2.1 returns no NextRecordIdentifier between the weighted sets "blue" and
        // "green": the next page would start at "blue" again, for ever.
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName));

        IllegalStateException stuck = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(IllegalStateException.class, () -> run(new Route53Cleanup(PerAccount.only(route53), 1), config, false)));

        assertTrue(stuck.getMessage().contains("does not advance past weighted." + zoneName + ". A"), stuck.getMessage());
        assertEquals(before, MotoZones.snapshot(route53, zone), "nothing is changed from a partial listing");
    }

    @Test
    void aSecondRunFindsNothingAndIsAlreadyDone() {
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName));
        Route53Cleanup step = new Route53Cleanup(PerAccount.only(route53));
        assertEquals("SUCCEEDED", run(step, config, false).status());
        Map<String, String> afterFirst = MotoZones.snapshot(route53, zone);

        StepOutcome second = run(step, config, false);

        assertEquals("ALREADY_DONE", second.status(), second.detail());
        assertEquals("no matching records in " + zone, second.detail());
        assertEquals(afterFirst, MotoZones.snapshot(route53, zone));
    }

    @Test
    void dryRunChangesNothingAndSaysWhatItWouldDo() {
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName));
        int callsBefore = CALLS.get();

        StepOutcome outcome = run(new Route53Cleanup(PerAccount.only(route53)), config, true);
        int calls = CALLS.get() - callsBefore;

        assertEquals("SKIPPED", outcome.status(), outcome.detail());
        assertTrue(outcome.detail().startsWith("would delete: "), outcome.detail());
        assertTrue(outcome.detail().contains("app." + zoneName + ". A"), outcome.detail());
        assertTrue(outcome.detail().contains("pool." + zoneName + ". A (kept 10.0.0.6)"), outcome.detail());
        assertEquals(before, MotoZones.snapshot(route53, zone));
        assertEquals(1, calls, "a dry run lists the zone and changes nothing");
    }

    @Test
    void byIpOffDeletesOnlyTheNamedRecords() {
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName));
        config.put("by-ip", false);

        StepOutcome outcome = run(new Route53Cleanup(PerAccount.only(route53)), config, false);

        Map<String, String> expected = new TreeMap<>(before);
        expected.remove(INSTANCE + "." + zoneName + ". A");
        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(expected, MotoZones.snapshot(route53, zone));
    }

    @Test
    void typesRestrictWhatIsDeleted() {
        Map<String, Object> config = config(List.of(zone), List.of("{instanceId}." + zoneName));
        config.put("types", List.of("cname"));

        run(new Route53Cleanup(PerAccount.only(route53)), config, false);

        Map<String, String> expected = new TreeMap<>(before);
        expected.remove("alias." + zoneName + ". CNAME");
        assertEquals(expected, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aCleanupRequestWithOnlyAnAddressDeletesByThatAddress() {
        // Seed 000's failed bootstrap: no stored facts, only the IP the instance reported.
        LifecycleEvent request = new LifecycleEvent(Kind.CLEANUP_REQUEST, Kind.LAMBDA_MOP_DELETE, Envelope.DIRECT, null, null,
                null, null, null, "cleanup-1", "msg-3", "2026-01-01T00:00:00Z", null, null, "web-1", PRIVATE_IP, "bootstrap failed");

        StepOutcome outcome = new Route53Cleanup(PerAccount.only(route53)).run(MotoZones.request(request, null,
                config(List.of(zone), List.of()), false, Heartbeat.NONE));

        Map<String, String> expected = new TreeMap<>(before);
        expected.remove("app." + zoneName + ". A");
        expected.remove("weighted." + zoneName + ". A [blue]");
        expected.put("pool." + zoneName + ". A", "300 10.0.0.6");
        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(expected, MotoZones.snapshot(route53, zone));
    }

    @Test
    void beatsOncePerZoneAndCleansEachZone() {
        String otherName = MotoZones.uniqueZoneName();
        String other = MotoZones.createZone(route53, otherName);
        MotoZones.create(route53, other, record("legacy." + otherName, "A", 60, PRIVATE_IP));
        AtomicInteger beats = new AtomicInteger();

        StepOutcome outcome = new Route53Cleanup(PerAccount.only(route53)).run(MotoZones.request(MotoZones.terminated(), MotoZones.facts(),
                config(List.of(zone, other), List.of("{instanceId}." + zoneName)), false, beats::incrementAndGet));

        assertEquals(2, beats.get());
        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(expectedAfterCleanup(), MotoZones.snapshot(route53, zone));
        assertTrue(MotoZones.snapshot(route53, other).keySet().stream().noneMatch(k -> k.startsWith("legacy.")));
    }

    @Test
    void anInvalidRenderedNameOrZoneFailsPermanentlyBeforeAnyCall() {
        Route53Cleanup step = new Route53Cleanup(PerAccount.only(route53));
        List<Map<String, Object>> hostile = List.of(
                config(List.of(zone), List.of("{instanceId}.exa mple.com")),
                config(List.of(zone), List.of("{instanceId}..example.com")),
                config(List.of(zone), List.of("{group};rm -rf /.example.com")),
                config(List.of(zone), List.of("{instanceId}." + "a".repeat(60) + "." + "b".repeat(60) + "." + "c".repeat(60)
                        + "." + "d".repeat(60) + ".com")),
                config(List.of(zone), List.of("{instanceId}." + "a".repeat(64) + ".com")),
                config(List.of(zone), List.of("*.{instanceId}.example.com")),
                config(List.of("/hostedzone/" + zone.toLowerCase(Locale.ROOT)), List.of("{instanceId}." + zoneName)),
                config(List.of("../" + zone), List.of("{instanceId}." + zoneName)),
                config(List.of(), List.of("{instanceId}." + zoneName)));
        int callsBefore = CALLS.get();

        for (Map<String, Object> config : hostile) {
            assertThrows(PermanentStepException.class, () -> run(step, config, false), config.toString());
        }
        // A template whose value the event lacks is a different failure: nothing unsafe, something missing.
        assertThrows(IllegalArgumentException.class,
                () -> run(step, config(List.of(zone), List.of("{instanceId}.{hook}.example.com")), false));

        assertEquals(callsBefore, CALLS.get(), "no Route53 call was made");
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aGroupNameThatRendersNoDnsNameFailsPermanentlyWithoutAnyChange() {
        LifecycleEvent event = new LifecycleEvent(Kind.TERMINATED, Kind.TERMINATED.eventName(), Envelope.DIRECT, "web servers",
                INSTANCE, null, null, null, "req-1", "msg-1", null, null, null, null, null, null);
        int callsBefore = CALLS.get();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new Route53Cleanup(PerAccount.only(route53)).run(
                MotoZones.request(event, MotoZones.facts(), config(List.of(zone), List.of("{group}." + zoneName)), false, Heartbeat.NONE)));

        assertEquals("dns: record name \"web servers." + zoneName + "\" is not a DNS name: " + DnsNames.NAME_RULE, error.getMessage());
        assertEquals(callsBefore, CALLS.get(), "no ListResourceRecordSets, no ChangeResourceRecordSets");
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aHostedZoneThatDoesNotExistFailsPermanentlyWithRoute53sMessage() {
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> run(new Route53Cleanup(PerAccount.only(route53)), config(List.of("Z0000000000NOSUCHZONE"), List.of("{instanceId}." + zoneName)), false));

        assertTrue(error.getMessage().startsWith("dns: Route53 refused listing zone Z0000000000NOSUCHZONE (NoSuchHostedZone): "),
                error::getMessage);
        assertTrue(error.getCause() instanceof software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException);
    }

    @Test
    void nothingToMatchIsSkippedNotReportedAsDone() {
        StepOutcome outcome = new Route53Cleanup(PerAccount.only(route53)).run(MotoZones.request(MotoZones.terminated(),
                InstanceFacts.unknown(INSTANCE), config(List.of(zone), List.of()), false, Heartbeat.NONE));

        assertEquals("SKIPPED", outcome.status(), outcome.detail());
        assertTrue(outcome.detail().contains(INSTANCE), outcome.detail());
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }

    /** Guards the test itself: the record sets created above are what the assertions assume. */
    @Test
    void theZoneHoldsWhatTheTestsAssume() {
        ResourceRecordSet pool = route53.listResourceRecordSets(r -> r.hostedZoneId(zone)
                .startRecordName("pool." + zoneName).startRecordType("A").maxItems("1")).resourceRecordSets().get(0);
        assertEquals(List.of("10.0.0.6", PRIVATE_IP), pool.resourceRecords().stream().map(v -> v.value()).toList());
        assertEquals(11, before.size(), before.toString());
    }
}
