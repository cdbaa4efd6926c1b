package dev.lifeguard.accounts;

import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.event.RefusedMessageException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Which accounts this deployment serves, and as whom it calls in each: its own credentials in its
 * own account, a role assumed with the external id in every other account listed
 * ({@code lifeguard.accounts}). With no account listed it serves one account, its own, and every
 * call goes through the service's own clients as before.
 */
public final class Accounts {
    private final AccountRegion home;
    private final Map<String, String> roles;
    private final Function<String, AwsCredentialsProvider> assume;
    private final ConcurrentMap<String, AwsCredentialsProvider> credentials = new ConcurrentHashMap<>();

    /**
     * @param home   this service's own account and region (the account from STS's
     *               GetCallerIdentity, the region its clients were built for)
     * @param roles  the role ARN to assume, by member account; empty for one account
     * @param assume makes the credentials provider that assumes a role ARN (refreshing itself)
     */
    public Accounts(AccountRegion home, Map<String, String> roles, Function<String, AwsCredentialsProvider> assume) {
        this.home = home;
        this.roles = Map.copyOf(roles);
        this.assume = assume;
    }

    /** One account, this one: no event is routed elsewhere. */
    public static Accounts single() {
        return new Accounts(AccountRegion.UNSAID, Map.of(), role -> {
            throw new IllegalStateException("no member account is configured");
        });
    }

    public boolean many() {
        return !roles.isEmpty();
    }

    public AccountRegion home() {
        return home;
    }

    /** The accounts served besides this one. */
    public Set<String> members() {
        return roles.keySet();
    }

    /**
     * Where calls for an event go: its own account and region, with what it does not say taken
     * from this service's. With one account, always here.
     *
     * @throws RefusedMessageException for an account that is neither this one nor listed: never
     *                                 acted on with this service's own credentials
     */
    public AccountRegion place(AccountRegion where) {
        if (!many()) {
            return home;
        }
        AccountRegion place = where.or(home);
        if (!place.account().equals(home.account()) && !roles.containsKey(place.account())) {
            throw new RefusedMessageException("account " + place.account() + " is not served here: it is neither this"
                    + " service's account (" + home.account() + ") nor listed in lifeguard.accounts");
        }
        return place;
    }

    /** The credentials for calls in a member account: one provider per account, which refreshes itself. */
    AwsCredentialsProvider credentials(String account) {
        String role = roles.get(account);
        if (role == null) {
            throw new IllegalStateException("account " + account + " is not a member account");
        }
        return credentials.computeIfAbsent(account, a -> assume.apply(role));
    }
}
