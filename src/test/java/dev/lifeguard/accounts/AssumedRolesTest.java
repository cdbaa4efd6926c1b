package dev.lifeguard.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.aws.AssumedRoles;
import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.RefusedMessageException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Member accounts' sessions over the wire (STS is moto behind a recording proxy): a session is
 * reused for every call until it nears its end, and assumed again before it expires; clients are
 * built once per account and region; the hub's own account and unlisted ones never assume a role.
 */
class AssumedRolesTest {
    private static final String MEMBER = "555555555555";
    private final AccountsWorld world = AccountsWorld.get();
    private final SsmClient home = SsmClient.builder().endpointOverride(URI.create(world.moto.endpoint()))
            .region(Region.US_EAST_1).credentialsProvider(AccountsWorld.hubCredentials()).build();
    private final StsClient sts = StsClient.builder().endpointOverride(URI.create(world.sts.baseUrl()))
            .region(Region.US_EAST_1).credentialsProvider(AccountsWorld.hubCredentials()).build();

    @Test
    void aShortSessionIsReusedThenAssumedAgainBeforeItExpires() {
        // Sessions of 8 s, assumed again from 5 s before their end: the first 3 s reuse one.
        PerAccount<SsmClient> ssm = clients(Duration.ofSeconds(8), Duration.ofSeconds(5), Duration.ofSeconds(1));
        AccountRegion member = new AccountRegion(MEMBER, "us-west-2");
        world.in(SsmClient.builder(), member).listCommands(); // moto's first SSM call in a region takes seconds

        Instant first = Instant.now();
        ssm.in(member).listCommands();
        ssm.in(member).listCommands();
        assertEquals(1, world.assumeRoles(MEMBER).size(), "both calls on one session");
        assertSame(ssm.in(member), ssm.in(member), "one client per account and region");

        Instant refreshFrom = first.plusMillis(3_500);
        Fixtures.awaitUntil("the session to near its end", Duration.ofSeconds(5), () -> Instant.now().isAfter(refreshFrom));
        ssm.in(member).listCommands();
        List<Map<String, String>> assumed = world.assumeRoles(MEMBER);
        assertEquals(2, assumed.size(), "assumed again once within 5 s of the end");
        Instant expiry = expiration(world.sts.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo("/"))).stream()
                .filter(r -> r.getBodyAsString().contains(MEMBER)).findFirst().orElseThrow());
        Instant second = world.sts.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getBodyAsString().contains(MEMBER))
                .map(e -> e.getRequest().getLoggedDate().toInstant()).max(Instant::compareTo).orElseThrow();
        assertTrue(second.isBefore(expiry), "assumed again at " + second + ", before the first session's end at " + expiry);
        assertEquals("8", assumed.get(1).get("DurationSeconds"));
        assertEquals("lifeguard-test", assumed.get(1).get("RoleSessionName"));
        assertEquals("the-external-id", assumed.get(1).get("ExternalId"));
    }

    @Test
    void theHubsOwnAccountUsesItsOwnCredentialsInAnyRegionAndAnUnlistedAccountIsRefused() {
        PerAccount<SsmClient> ssm = clients(AssumedRoles.SESSION, AssumedRoles.PREFETCH, AssumedRoles.STALE);
        int before = world.assumeRoles(AccountsWorld.HUB).size();

        assertSame(home, ssm.in(new AccountRegion(AccountsWorld.HUB, "us-east-1")), "its own account and region: its own client");
        assertSame(home, ssm.in(AccountRegion.UNSAID), "an event that does not say: here");
        SsmClient otherRegion = ssm.in(new AccountRegion(AccountsWorld.HUB, "eu-central-1"));
        assertNotEquals(home, otherRegion);
        assertEquals(Region.EU_CENTRAL_1, otherRegion.serviceClientConfiguration().region());
        otherRegion.listCommands();
        assertEquals(before, world.assumeRoles(AccountsWorld.HUB).size(), "no role assumed in its own account");

        RefusedMessageException refused = assertThrows(RefusedMessageException.class,
                () -> ssm.in(new AccountRegion("666666666666", "us-east-1")));
        assertTrue(refused.getMessage().contains("account 666666666666 is not served here"), refused.getMessage());
        assertEquals(List.of(), world.assumeRoles("666666666666"));
    }

    private PerAccount<SsmClient> clients(Duration session, Duration prefetch, Duration stale) {
        Accounts accounts = new Accounts(new AccountRegion(AccountsWorld.HUB, "us-east-1"),
                Map.of(MEMBER, "arn:aws:iam::" + MEMBER + ":role/lifeguard-hub"),
                AssumedRoles.with(sts, "the-external-id", "lifeguard-test", session, prefetch, stale));
        Outages outages = new Outages(Clock.systemUTC());
        return new PerAccount<>(home, accounts,
                (where, credentials) -> AwsClients.elsewhere(SsmClient.builder(), home, where, credentials, outages));
    }

    /** The {@code Expiration} of the session an AssumeRole answer gave. */
    private Instant expiration(com.github.tomakehurst.wiremock.verification.LoggedRequest request) {
        String answer = world.sts.getAllServeEvents().stream().filter(e -> e.getRequest().getLoggedDate().equals(request.getLoggedDate()))
                .findFirst().orElseThrow().getResponse().getBodyAsString();
        String value = answer.substring(answer.indexOf("<Expiration>") + 12, answer.indexOf("</Expiration>"));
        return Instant.parse(value);
    }
}
