package dev.lifeguard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import org.junit.jupiter.api.Test;

/** Where an event happened, from whichever part of its message says so, and only as AWS writes it. */
class EventAccountRegionTest {
    private final EventParser parser = new EventParser();

    @Test
    void eventBridgeSaysBoth() {
        LifecycleEvent event = parser.parse(Fixtures.read("eventbridge-terminate-lifecycle-action.json"), "m");
        assertEquals(new AccountRegion("123456789012", "us-east-1"), event.where());
        assertTrue(event.describe().endsWith("account=123456789012 region=us-east-1"), event.describe());
    }

    @Test
    void snsTakesTheAccountFromThePayloadAndTheRegionFromTheTopic() {
        String body = Fixtures.read("sns-hook-terminating.json").replace("arn:aws:sns:us-east-1:", "arn:aws:sns:eu-west-1:");
        assertEquals(new AccountRegion("123456789012", "eu-west-1"), parser.parse(body, "m").where());
    }

    @Test
    void aHookSentStraightToSqsSaysItsAccountButNotItsRegion() {
        assertEquals(new AccountRegion("356438515751", null), parser.parse(Fixtures.read("hook-terminating.json"), "m").where());
    }

    @Test
    void aMessageThatSaysNeitherIsUnsaid() {
        assertEquals(AccountRegion.UNSAID, parser.parse(Fixtures.read("cleanup-request.json"), "m").where());
    }

    @Test
    void anAccountOrRegionNotWrittenAsAwsWritesThemIsRefused() {
        String bridge = Fixtures.read("eventbridge-terminate-lifecycle-action.json");
        RefusedMessageException account = assertThrows(RefusedMessageException.class,
                () -> parser.parse(bridge.replace("\"account\": \"123456789012\"", "\"account\": \"12345678901\""), "m"));
        assertTrue(account.getMessage().contains("EventBridge account is not an AWS account id"), account.getMessage());
        RefusedMessageException region = assertThrows(RefusedMessageException.class,
                () -> parser.parse(bridge.replace("\"region\": \"us-east-1\"", "\"region\": \"us-east-1; rm -rf /\""), "m"));
        assertTrue(region.getMessage().contains("EventBridge region is not an AWS region code"), region.getMessage());
        String hook = Fixtures.read("hook-terminating.json");
        assertThrows(RefusedMessageException.class, () -> parser.parse(hook.replace("\"356438515751\"", "\"../../etc\""), "m"));
        assertTrue(Identifiers.isRegion("us-gov-west-1") && Identifiers.isRegion("eusc-de-east-1") && Identifiers.isRegion("cn-north-1"));
    }

    @Test
    void theServiceFillsInWhatTheMessageLeavesOutAndRefusesAccountsItDoesNotServe() {
        AccountRegion home = new AccountRegion("111111111111", "eu-west-1");
        EventParser placing = new EventParser(where -> {
            AccountRegion place = where.or(home);
            if (!place.account().equals("111111111111") && !place.account().equals("356438515751")) {
                throw new RefusedMessageException("account " + place.account() + " is not served here");
            }
            return place;
        });
        assertEquals(new AccountRegion("356438515751", "eu-west-1"), placing.parse(Fixtures.read("hook-terminating.json"), "m").where());
        String stranger = Fixtures.read("eventbridge-terminate-lifecycle-action.json").replace("123456789012", "444444444444");
        RefusedMessageException refused = assertThrows(RefusedMessageException.class, () -> placing.parse(stranger, "m"));
        assertEquals("account 444444444444 is not served here", refused.getMessage());
    }
}
