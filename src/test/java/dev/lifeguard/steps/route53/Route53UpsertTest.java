package dev.lifeguard.steps.route53;

import dev.lifeguard.accounts.PerAccount;
import static dev.lifeguard.steps.route53.MotoZones.INSTANCE;
import static dev.lifeguard.steps.route53.MotoZones.PRIVATE_DNS;
import static dev.lifeguard.steps.route53.MotoZones.PRIVATE_IP;
import static dev.lifeguard.steps.route53.MotoZones.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.StepOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;

/** Route53Upsert against moto_server over the wire. */
class Route53UpsertTest {
    private static final Route53Client route53 = MotoZones.route53();
    private static final AtomicInteger CALLS = MotoZones.CALLS;

    private String zoneName;
    private String zone;
    private Map<String, String> before;

    @BeforeEach
    void zone() {
        zoneName = MotoZones.uniqueZoneName();
        zone = MotoZones.createZone(route53, zoneName);
        MotoZones.create(route53, zone, record("db." + zoneName, "A", 60, "10.0.0.99"));
        before = MotoZones.snapshot(route53, zone);
    }

    private Map<String, Object> config(String name) {
        Map<String, Object> config = new HashMap<>();
        config.put("zone", "/hostedzone/" + zone);
        config.put("record", name);
        return config;
    }

    private StepOutcome run(Map<String, Object> config, boolean dryRun) {
        return new Route53Upsert(PerAccount.only(route53)).run(MotoZones.request(MotoZones.launched(), MotoZones.facts(), config, dryRun, Heartbeat.NONE));
    }

    private Map<String, String> beforePlus(String key, String value) {
        Map<String, String> expected = new TreeMap<>(before);
        expected.put(key, value);
        return expected;
    }

    @Test
    void createsTheRecordAndASecondUpsertIsAlreadyDone() {
        Map<String, Object> config = config("{instanceId}." + zoneName);

        StepOutcome first = run(config, false);

        assertEquals("SUCCEEDED", first.status(), first.detail());
        Map<String, String> expected = beforePlus(INSTANCE + "." + zoneName + ". A", "60 " + PRIVATE_IP);
        assertEquals(expected, MotoZones.snapshot(route53, zone));

        StepOutcome second = run(config, false);

        assertEquals("ALREADY_DONE", second.status(), second.detail());
        assertEquals(expected, MotoZones.snapshot(route53, zone));
    }

    @Test
    void replacesAPreviousInstancesAddress() {
        MotoZones.create(route53, zone, record("web." + zoneName, "A", 300, "10.0.0.42"));
        Map<String, Object> config = config("web." + zoneName);
        config.put("ttl", 30);

        StepOutcome outcome = run(config, false);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        assertEquals(beforePlus("web." + zoneName + ". A", "30 " + PRIVATE_IP), MotoZones.snapshot(route53, zone));
    }

    @Test
    void createsACnameToThePrivateDnsName() {
        Map<String, Object> config = config("{group}-{instanceId}." + zoneName);
        config.put("type", "CNAME");
        config.put("value", "{privateDns}");

        StepOutcome outcome = run(config, false);

        assertEquals("SUCCEEDED", outcome.status(), outcome.detail());
        Map<String, String> after = MotoZones.snapshot(route53, zone);
        String value = after.get("web-asg-" + INSTANCE + "." + zoneName + ". CNAME");
        assertTrue(value != null && value.startsWith("60 " + PRIVATE_DNS), after.toString());
        assertEquals("ALREADY_DONE", run(config, false).status());
    }

    @Test
    void dryRunCreatesNothing() {
        int callsBefore = CALLS.get();

        StepOutcome outcome = run(config("{instanceId}." + zoneName), true);

        assertEquals(callsBefore, CALLS.get());
        assertEquals("SKIPPED", outcome.status(), outcome.detail());
        assertEquals("would upsert " + INSTANCE + "." + zoneName + ". A " + PRIVATE_IP + " ttl 60 in " + zone, outcome.detail());
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aRecordTemplateThatRendersNoDnsNameFailsPermanentlyWithoutAnyChange() {
        LifecycleEvent launched = MotoZones.launched();
        LifecycleEvent event = new LifecycleEvent(launched.kind(), launched.eventName(), Envelope.DIRECT, "prod$green",
                launched.instanceId(), null, null, null, launched.requestId(), launched.messageId(), null, null, null, null, null, null);
        int callsBefore = CALLS.get();

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> new Route53Upsert(PerAccount.only(route53)).run(
                MotoZones.request(event, MotoZones.facts(), config("{group}." + zoneName), false, Heartbeat.NONE)));

        assertEquals("dns: record name \"prod$green." + zoneName + "\" is not a DNS name: " + DnsNames.NAME_RULE, error.getMessage());
        assertEquals(callsBefore, CALLS.get(), "no Route53 call was made");
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }

    @Test
    void aZoneThatDoesNotExistFailsPermanently() {
        Map<String, Object> config = config("{instanceId}." + zoneName);
        config.put("zone", "Z0000000000NOSUCHZONE");

        PermanentStepException error = assertThrows(PermanentStepException.class, () -> run(config, false));

        assertTrue(error.getMessage().contains("(NoSuchHostedZone)"), error::getMessage);
    }

    @Test
    void invalidNamesValuesAndSettingsAreRefusedBeforeAnyCall() {
        Map<String, Object> notAnAddress = config("{instanceId}." + zoneName);
        notAnAddress.put("value", "{privateDns}");
        Map<String, Object> badCname = config("{instanceId}." + zoneName);
        badCname.put("type", "CNAME");
        badCname.put("value", "{privateIp}/24");
        Map<String, Object> badType = config("{instanceId}." + zoneName);
        badType.put("type", "TXT");
        Map<String, Object> badTtl = config("{instanceId}." + zoneName);
        badTtl.put("ttl", "-1");
        Map<String, Object> badZone = config("{instanceId}." + zoneName);
        badZone.put("zone", "Z1/../../x");
        List<Map<String, Object>> refused = List.of(config("{instanceId}.web example.com"), config("{instanceId}.$(id).com"),
                notAnAddress, badCname, badType, badTtl, badZone);
        int callsBefore = CALLS.get();

        for (Map<String, Object> config : refused) {
            assertThrows(PermanentStepException.class, () -> run(config, false), config.toString());
        }

        assertEquals(callsBefore, CALLS.get(), "no Route53 call was made");
        assertEquals(before, MotoZones.snapshot(route53, zone));
    }
}
