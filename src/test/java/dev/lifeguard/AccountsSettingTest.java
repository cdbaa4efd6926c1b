package dev.lifeguard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lifeguard.accounts: the member accounts and their roles, read once and refused with the setting's name when wrong. */
class AccountsSettingTest {
    private static Map<String, String> with(String accounts, String externalId) {
        Map<String, String> values = new HashMap<>(Map.of("lifeguard.queue", "q", "lifeguard.dead-letter-queue", "d",
                "lifeguard.table", "lifeguard", "lifeguard.accounts", accounts));
        if (externalId != null) {
            values.put("lifeguard.accounts.external-id", externalId);
        }
        return values;
    }

    @Test
    void eachAccountGetsTheMemberTemplatesRoleUnlessItNamesOne() {
        Settings settings = Settings.from(with(" 222222222222 , 333333333333=arn:aws-us-gov:iam::333333333333:role/ops/lg ", "x-1")::get);
        assertEquals(Map.of("222222222222", "arn:aws:iam::222222222222:role/lifeguard-hub",
                "333333333333", "arn:aws-us-gov:iam::333333333333:role/ops/lg"), settings.accountRoles());
        assertEquals("x-1", settings.accountsExternalId());
        Map<String, String> renamed = with("222222222222", "x");
        renamed.put("lifeguard.accounts.role-name", "platform-lifeguard");
        assertEquals(Map.of("222222222222", "arn:aws:iam::222222222222:role/platform-lifeguard"),
                Settings.from(renamed::get).accountRoles());
        assertEquals(Map.of(), Settings.from(with("", null)::get).accountRoles(), "none: one account");
    }

    @Test
    void mistakesStopStartUpNamingTheSetting() {
        Map<String, String> wrong = Map.of(
                "22222222222", "'22222222222' is not an AWS account id",
                "222222222222=lifeguard-hub", "'lifeguard-hub' for account 222222222222 is not an IAM role ARN",
                "222222222222=arn:aws:iam::333333333333:role/x", "role arn:aws:iam::333333333333:role/x is not in account 222222222222",
                "222222222222,222222222222", "lists account 222222222222 twice");
        wrong.forEach((value, expected) -> {
            MisconfiguredException error = assertThrows(MisconfiguredException.class, () -> Settings.from(with(value, "x")::get));
            assertTrue(error.getMessage().startsWith("LIFEGUARD_ACCOUNTS (lifeguard.accounts)") && error.getMessage().contains(expected), error.getMessage());
        });
        MisconfiguredException noExternalId = assertThrows(MisconfiguredException.class,
                () -> Settings.from(with("222222222222", null)::get));
        assertTrue(noExternalId.getMessage().contains("(lifeguard.accounts.external-id) must be set"), noExternalId.getMessage());
    }
}
