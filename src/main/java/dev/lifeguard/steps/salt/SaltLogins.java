package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.PermanentStepException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The salt-api tokens of this process, one per URL, eauth and user, and the logins that make
 * them. Each login is a PAM (or LDAP, …) authentication on the master, so a burst of launches must
 * not become a burst of logins: at most one login per URL, eauth and user is under way at a time,
 * and every request that needs a token meanwhile waits for it and uses what it gives, its token or
 * its failure. A token is reused until salt-api's {@code expire} (less a minute) or until a
 * request finds it refused; then one new login replaces it for every request that held it.
 */
final class SaltLogins {
    private static final Logger LOG = LoggerFactory.getLogger(SaltLogins.class);
    /**
     * How long a request waits for a login another one started. The login's own HTTP request
     * ends within {@link SaltApi#MAX_REQUEST_TIME}; this bound is for a login that hangs anyway,
     * so that it holds up requests for a while, not for good.
     */
    static final Duration LONGEST_WAIT = SaltApi.MAX_REQUEST_TIME.multipliedBy(2);
    /** A token is renewed this long before salt-api says it expires, so that no request is sent with one about to lapse. */
    private static final Duration MARGIN = Duration.ofMinutes(1);

    /** What one {@code POST /login} gave: the token, and when salt-api says it expires. */
    record Issued(String value, Instant expire) {
    }

    /** One {@code POST /login}. */
    @FunctionalInterface
    interface Login {
        Issued logIn(SaltApi.Endpoint endpoint) throws InterruptedException;
    }

    /**
     * A token to send. {@code serial} grows with each login, so that a request whose token was
     * refused can ask for one issued after it, whoever logged in for it.
     */
    record Token(String value, Instant renewAt, long serial) {
        @Override
        public String toString() {
            // Never the value: a token in a log line is a session anyone reading it can use.
            return "token #" + serial;
        }
    }

    private final Login login;
    private final Clock clock;
    private final AtomicLong serials = new AtomicLong();
    /** Per URL, eauth and user: the login under way, or the last one, whose token is the one in use. */
    private final Map<String, CompletableFuture<Token>> logins = new ConcurrentHashMap<>();

    SaltLogins(Login login, Clock clock) {
        this.login = Objects.requireNonNull(login, "login");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The token in use while it is valid, else the one a login gives (this request's own, or the one under way). */
    Token token(SaltApi.Endpoint endpoint) throws InterruptedException {
        return newerThan(endpoint, 0);
    }

    /**
     * A token issued after {@code refused}, which salt-api just refused: from the login that the
     * first request to find it refused started, which every other request that held it shares.
     */
    Token replacing(SaltApi.Endpoint endpoint, Token refused) throws InterruptedException {
        return newerThan(endpoint, refused.serial());
    }

    private Token newerThan(SaltApi.Endpoint endpoint, long serial) throws InterruptedException {
        String key = endpoint.tokenKey();
        while (true) {
            CompletableFuture<Token> mine = new CompletableFuture<>();
            CompletableFuture<Token> current = logins.putIfAbsent(key, mine);
            if (current == null) {
                return logIn(endpoint, key, mine);
            }
            boolean underWay = !current.isDone();
            if (underWay) {
                LOG.debug("{}: waiting for the login under way", endpoint.describe());
            }
            Token token = await(endpoint, key, current);
            // A login this request waited for is used even if salt-api gave it less than the margin:
            // asking again would get no better one.
            if (token.serial() > serial && (underWay || clock.instant().isBefore(token.renewAt()))) {
                return token;
            }
            // Refused or about to expire: out of the map, and the next turn logs in or joins who does.
            logins.remove(key, current);
        }
    }

    private Token logIn(SaltApi.Endpoint endpoint, String key, CompletableFuture<Token> mine) throws InterruptedException {
        try {
            Issued issued = login.logIn(endpoint);
            Token token = new Token(issued.value(), issued.expire().minus(MARGIN), serials.incrementAndGet());
            mine.complete(token);
            return token;
        } catch (RuntimeException | InterruptedException | Error failure) {
            // Out of the map before the waiters hear of it: a request that comes after logs in again
            // rather than taking a failure that was not its own.
            logins.remove(key, mine);
            mine.completeExceptionally(failure);
            throw failure;
        }
    }

    private Token await(SaltApi.Endpoint endpoint, String key, CompletableFuture<Token> login) throws InterruptedException {
        try {
            return login.get(LONGEST_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw sameKind(endpoint, e.getCause());
        } catch (TimeoutException e) {
            logins.remove(key, login);
            throw new SaltApi.Unavailable(endpoint.describe() + " did not finish a login within " + LONGEST_WAIT.toSeconds() + " s", e);
        }
    }

    /**
     * A waiter's own exception for the login's failure, of the same kind (permanent, unavailable,
     * a profile mistake) so that the step and a parked look judge it alike.
     */
    private static RuntimeException sameKind(SaltApi.Endpoint endpoint, Throwable failure) {
        String message = failure.getMessage();
        if (failure instanceof PermanentStepException) {
            return new PermanentStepException(message, failure);
        }
        if (failure instanceof IllegalArgumentException) {
            return new IllegalArgumentException(message, failure);
        }
        if (failure instanceof SaltApi.Unavailable) {
            return new SaltApi.Unavailable(message, failure);
        }
        if (failure instanceof InterruptedException) {
            return new SaltApi.Unavailable(endpoint.describe() + ": the login this request waited for was interrupted", failure);
        }
        return new IllegalStateException(message, failure);
    }
}
