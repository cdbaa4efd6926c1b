package dev.lifeguard.accounts;

import dev.lifeguard.event.AccountRegion;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * One AWS service's clients, by account and region: the service's own client for its own account
 * and region, and for any other one client built on first use and reused (an SDK client is
 * thread-safe and holds its connections; building one per call would open new ones each time).
 *
 * @param <C> the SDK client type
 */
public final class PerAccount<C> {
    private final C home;
    private final Accounts accounts;
    private final BiFunction<AccountRegion, AwsCredentialsProvider, C> build;
    private final ConcurrentMap<AccountRegion, C> built = new ConcurrentHashMap<>();

    /**
     * @param build makes a client for a region with the given credentials; null credentials mean
     *              this service's own (its own account, another region)
     */
    public PerAccount(C home, Accounts accounts, BiFunction<AccountRegion, AwsCredentialsProvider, C> build) {
        this.home = home;
        this.accounts = accounts;
        this.build = build;
    }

    /** Only the one client, whatever an event says: one account and region (tests, commands). */
    public static <C> PerAccount<C> only(C client) {
        return new PerAccount<>(client, Accounts.single(), (where, credentials) -> client);
    }

    /** Where calls about an event that happened in {@code where} go ({@link Accounts#place}). */
    public AccountRegion place(AccountRegion where) {
        return accounts.place(where);
    }

    /** The client for calls about an event that happened in {@code where} (see {@link Accounts#place}). */
    public C in(AccountRegion where) {
        AccountRegion place = accounts.place(where);
        if (place.equals(accounts.home())) {
            return home;
        }
        return built.computeIfAbsent(place, p -> build.apply(p,
                p.account().equals(accounts.home().account()) ? null : accounts.credentials(p.account())));
    }

    /** The service's own client: for what is not about one event (start-up checks, secrets). */
    public C home() {
        return home;
    }
}
