package dev.lifeguard;

import dev.lifeguard.accounts.Accounts;
import dev.lifeguard.aws.AssumedRoles;
import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.Identifiers;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The accounts a deployment serves, for the service and for the commands that act ({@code resume}):
 * with member accounts listed, STS names this one (GetCallerIdentity: what AWS says, not a
 * setting), and each member's role is assumed with the external id, in sessions named for the
 * replica or command.
 */
public final class ServedAccounts {
    private ServedAccounts() {
    }

    /**
     * @param roles  {@link Settings#accountRoles()}: the member accounts' roles; empty serves this account alone
     * @param region this service's own region, as its clients were built for it
     * @param sts    asked only when members are listed
     * @param who    names the sessions in the members' CloudTrail ({@code lifeguard-<who>})
     */
    public static Accounts of(Map<String, String> roles, String externalId, String region, Supplier<StsClient> sts, String who) {
        if (roles.isEmpty()) {
            return Accounts.single();
        }
        if (!Identifiers.isRegion(region)) {
            throw new MisconfiguredException(Settings.ACCOUNTS.label() + " needs this service's own region, and its"
                    + " clients do not say it (" + region + "): set AWS_REGION");
        }
        StsClient client = sts.get();
        String account = StartupChecks.aws(() -> client.getCallerIdentity().account());
        return new Accounts(new AccountRegion(account, region), roles, AssumedRoles.with(client, externalId,
                AssumedRoles.sessionName(who), AssumedRoles.SESSION, AssumedRoles.PREFETCH, AssumedRoles.STALE));
    }
}
