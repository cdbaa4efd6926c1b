package dev.lifeguard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * One deployment serving two member accounts in two regions besides its own: each event's SSM
 * command, Route53 change and completion land in the event's own account and region, with the
 * member's role assumed once and reused; an event from an account not listed is refused before
 * any call. moto keeps a backend per account and region, so what landed where is read back there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {AccountsWorld.Beans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=" + AccountsWorld.QUEUE,
            "lifeguard.dead-letter-queue=" + AccountsWorld.DEAD_LETTER_QUEUE,
            "lifeguard.table=accounts",
            "lifeguard.table.create=true",
            "lifeguard.profiles=target/accounts-profiles.yaml",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=2",
            "lifeguard.max-attempts=3",
            "lifeguard.accounts=" + ManyAccountsTest.WEST + "," + ManyAccountsTest.EU + "=arn:aws:iam::" + ManyAccountsTest.EU
                    + ":role/platform/lifeguard-eu",
            "lifeguard.accounts.external-id=" + AccountsWorld.EXTERNAL_ID,
        })
class ManyAccountsTest {
    static final String WEST = "222222222222";
    static final String EU = "333333333333";
    private static final AccountRegion WEST_2 = new AccountRegion(WEST, "us-west-2");
    private static final AccountRegion WEST_EAST_2 = new AccountRegion(WEST, "us-east-2");
    private static final AccountRegion EU_WEST_1 = new AccountRegion(EU, "eu-west-1");
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private static final String DOMAIN = "fleet.example.com.";

    private final AccountsWorld world = AccountsWorld.get();
    private final Map<String, String> zones = Map.of(
            WEST, world.zone(WEST, DOMAIN, "placeholder-west." + DOMAIN, "10.9.9.9"),
            EU, world.zone(EU, DOMAIN, "placeholder-eu." + DOMAIN, "10.9.9.8"));

    {
        // The same group name in both accounts, each account's profile draining with SSM and
        // cleaning its own zone: which profile ran shows in which zone changed.
        StringBuilder profiles = new StringBuilder("groups:\n");
        for (String account : List.of(WEST, EU)) {
            profiles.append("  - match: web-*\n    accounts: [\"").append(account).append("\"]\n    steps:\n      terminating:\n")
                    .append("        - type: ssm-command\n          name: drain\n          timeout: 60\n          poll-interval: 1\n")
                    .append("          document: AWS-RunShellScript\n          parameters:\n            commands: [\"systemctl stop app\"]\n")
                    .append("        - type: route53-cleanup\n          zones: [\"").append(zones.get(account))
                    .append("\"]\n          names: [\"{instanceId}.").append(DOMAIN, 0, DOMAIN.length() - 1).append("\"]\n");
        }
        world.writeProfiles(profiles.toString());
    }

    @Test
    void eachEventsCallsLandInItsOwnAccountAndRegionAndEachRoleIsAssumedOnce() {
        List<Sent> sent = new ArrayList<>();
        // Two regions of one member account (one session serves both), and another account.
        for (AccountRegion where : List.of(WEST_2, WEST_EAST_2, EU_WEST_1)) {
            String id = world.launch(where);
            world.in(software.amazon.awssdk.services.route53.Route53Client.builder(), new AccountRegion(where.account(), "us-east-1"))
                    .changeResourceRecordSets(r -> r.hostedZoneId(zones.get(where.account())).changeBatch(b -> b.changes(c -> c
                            .action(software.amazon.awssdk.services.route53.model.ChangeAction.CREATE)
                            .resourceRecordSet(s -> s.name(id + "." + DOMAIN).type("A").ttl(60L).resourceRecords(v -> v.value("10.1.2.3"))))));
            sent.add(send(hook(where, "web-asg", id)));
        }

        for (Sent s : sent) {
            LifecycleEvent event = s.event();
            AccountRegion where = event.where();
            awaitOutcome(event.idempotencyKey(), "SUCCEEDED");
            String id = event.instanceId();
            assertEquals(1, world.commandsOn(where, id).size(), "drained in " + where);
            assertEquals(List.of(), world.commandsOn(new AccountRegion(AccountsWorld.HUB, "us-east-1"), id), "nothing sent in the hub");
            assertEquals(List.of(), world.commandsOn(new AccountRegion(where.account(), "us-east-1"), id), "nothing in the hub's region");
            assertFalse(world.recordNames(where.account(), zones.get(where.account())).contains(id + "." + DOMAIN),
                    "its record deleted in its own account's zone");
            List<LoggedRequest> completions = world.calls("CompleteLifecycleAction", event.actionToken());
            assertEquals(1, completions.size(), "completed once");
            assertEquals(where, world.signer(completions.get(0)), "completed in its own account and region");
            // What confirmed the hook before its drain ran was asked of the event's own account and
            // region: a message naming a member for an instance it does not have is refused there.
            List<LoggedRequest> lookUps = world.autoScaling.findAll(com.github.tomakehurst.wiremock.client.WireMock
                    .postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))).stream()
                    .filter(c -> "DescribeAutoScalingInstances".equals(Fixtures.form(c).get("Action"))
                            && Fixtures.form(c).containsValue(id)).toList();
            assertFalse(lookUps.isEmpty(), "its instance was looked up in Auto Scaling");
            lookUps.forEach(c -> assertEquals(where, world.signer(c), "looked up in its own account and region"));
            List<LoggedRequest> beats = world.calls("RecordLifecycleActionHeartbeat", event.actionToken());
            assertFalse(beats.isEmpty(), "its token confirmed with a heartbeat before the drain");
            beats.forEach(beat -> assertEquals(where, world.signer(beat), "beaten in its own account and region"));
        }

        List<Map<String, String>> west = world.assumeRoles(WEST);
        assertEquals(1, west.size(), "one session for both regions of " + WEST);
        Map<String, String> request = west.get(0);
        assertEquals("arn:aws:iam::" + WEST + ":role/lifeguard-hub", request.get("RoleArn"));
        assertEquals(AccountsWorld.EXTERNAL_ID, request.get("ExternalId"));
        assertEquals("3600", request.get("DurationSeconds"));
        assertTrue(request.get("RoleSessionName").startsWith("lifeguard-"), request.get("RoleSessionName"));
        List<Map<String, String>> eu = world.assumeRoles(EU);
        assertEquals(1, eu.size());
        assertEquals("arn:aws:iam::" + EU + ":role/platform/lifeguard-eu", eu.get(0).get("RoleArn"), "the role named for it");
    }

    @Test
    void anEventFromAnAccountNotListedIsRefusedAndDeadLetteredOnceWithoutACall() {
        AccountRegion stranger = new AccountRegion("444444444444", "us-west-2");
        Sent s = send(hook(stranger, "web-asg", "i-0" + UUID.randomUUID().toString().replace("-", "").substring(0, 16)));

        List<Message> dead = Fixtures.deadLetters(world.sqs,
                world.sqs.getQueueUrl(r -> r.queueName(AccountsWorld.DEAD_LETTER_QUEUE)).queueUrl(), s.event().actionToken(), PATIENCE);
        assertEquals(1, dead.size(), "dead-lettered once");
        String reason = dead.get(0).messageAttributes().get("LifeguardReason").stringValue();
        assertTrue(reason.contains("account 444444444444 is not served here"), reason);
        assertEquals(List.of(), world.calls("DescribeAutoScalingInstances", s.event().actionToken()));
        assertTrue(world.autoScaling.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))).stream()
                .noneMatch(c -> c.getBodyAsString().contains(s.event().instanceId())), "Auto Scaling was never asked about it");
        assertEquals(List.of(), world.assumeRoles("444444444444"), "no role was assumed for it");
    }

    private record Sent(String body, LifecycleEvent event) {
    }

    /** An EventBridge terminating hook from an account and region, made live in the Auto Scaling stand-in. */
    private String hook(AccountRegion where, String group, String instanceId) {
        String body = Fixtures.fresh(Fixtures.read("eventbridge-terminate-lifecycle-action.json"))
                .replace("\"account\": \"123456789012\"", "\"account\": \"" + where.account() + "\"")
                .replace("\"region\": \"us-east-1\"", "\"region\": \"" + where.region() + "\"")
                .replace("salt-minions", group)
                .replace("i-6572aba90da7ef9ab", instanceId);
        return world.actions.sent(body);
    }

    private Sent send(String body) {
        String url = world.sqs.getQueueUrl(r -> r.queueName(AccountsWorld.QUEUE)).queueUrl();
        world.sqs.sendMessage(r -> r.queueUrl(url).messageBody(body));
        return new Sent(body, Fixtures.parse(body));
    }

    private void awaitOutcome(String key, String result) {
        Fixtures.awaitUntil(key + " recorded as " + result, PATIENCE, () -> {
            Map<String, AttributeValue> item = world.dynamoDb.getItem(r -> r.tableName("accounts").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(key)))).item();
            return item.containsKey("result") && item.get("result").s().equals(result)
                    && !item.get("status").s().equals("CLAIMED");
        });
    }
}
