package dev.lifeguard.steps.salt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Secrets;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of salt-api's rest_cherrypy module, for the Salt steps with {@code transport: api}.
 *
 * <p>Authentication: {@code POST /login} with {@code eauth}, {@code username} and
 * {@code password} returns a token, sent as {@code X-Auth-Token} on every later request until it
 * expires (salt-api's {@code expire}, less a minute); a 401 on a request with a token logs in
 * again once and repeats the request. Tokens are kept per URL, eauth and user, so that the looks
 * at a parked job do not log in each time, and the password is read (from its {@code file:},
 * {@code env:} or {@code ssm:} reference) only to log in. Neither the password nor the token is
 * ever logged or put into a message.
 *
 * <p>Failures: 401 and 403 (refused login, missing eauth permission), other 4xx and a reply that
 * is not salt-api's are permanent; 5xx, 408, 429, an unanswered or timed-out request are not.
 */
public class SaltApi {
    private static final Logger LOG = LoggerFactory.getLogger(SaltApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Salt job id: digits (a timestamp, e.g. 20261201170102123456). */
    static final Pattern JID = Pattern.compile("[0-9]{1,32}");
    private static final Pattern EAUTH = Pattern.compile("[a-z][a-z0-9_]{0,31}");
    private static final Pattern USERNAME = Pattern.compile("[^\\p{Cntrl}]{1,256}");
    /** Longest wait for one HTTP request; a step's timeout shorter than this bounds it instead. */
    static final Duration MAX_REQUEST_TIME = Duration.ofSeconds(60);
    /** Settings every Salt step takes for this transport. */
    static final Set<String> SETTINGS = Set.of("transport", "url", "eauth", "username", "password");

    private final Secrets secrets;
    private final HttpClient http;
    private final Clock clock;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private record Token(String value, Instant renewAt) {
    }

    public SaltApi(Secrets secrets) {
        // HTTP/1.1: CherryPy speaks nothing newer, and an h2c upgrade offer is one more thing to misread.
        this(secrets, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build(),
                Clock.systemUTC());
    }

    SaltApi(Secrets secrets, HttpClient http, Clock clock) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** True when the step says {@code transport: api}; false for the default, {@code local}. */
    /** Whether a Salt step parks: only salt-api jobs do; an unknown transport runs, and fails with the reason. */
    static boolean waits(StepRequest request) {
        try {
            return chosen(request);
        } catch (IllegalArgumentException unknownTransport) {
            return false;
        }
    }

    static boolean chosen(StepRequest request) {
        String transport = request.config().string("transport", "local");
        return switch (transport) {
            case "api" -> true;
            case "local" -> false;
            default -> throw new IllegalArgumentException("step " + request.config().stepName()
                    + ": 'transport' is local (salt and salt-key on this host) or api (salt-api), not '" + transport + "'");
        };
    }

    /** Where and as whom a step calls salt-api; {@code password} is the secret's reference, not its value. */
    record Endpoint(String step, URI url, String eauth, String username, String password, Duration requestTime) {

        static Endpoint of(StepRequest request) {
            StepConfig config = request.config();
            String step = config.stepName();
            URI url = url(step, config.string("url"));
            String eauth = config.string("eauth");
            if (!EAUTH.matcher(eauth).matches()) {
                throw new IllegalArgumentException("step " + step + ": 'eauth' is an eauth module name (pam, ldap, …), not '" + eauth + "'");
            }
            String username = config.string("username");
            if (!USERNAME.matcher(username).matches()) {
                throw new IllegalArgumentException("step " + step + ": 'username' must be 1 to 256 characters without control characters");
            }
            String password = config.string("password");
            if (!(password.startsWith("file:") || password.startsWith("env:") || password.startsWith("ssm:"))) {
                throw new IllegalArgumentException("step " + step + ": 'password' is a reference, file:PATH, env:NAME or"
                        + " ssm:PARAMETER, never the password itself");
            }
            Duration timeout = config.duration("timeout", Duration.ofMinutes(5));
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("step " + step + ": 'timeout' must be positive");
            }
            return new Endpoint(step, url, eauth, username, password,
                    timeout.compareTo(MAX_REQUEST_TIME) < 0 ? timeout : MAX_REQUEST_TIME);
        }

        /** https, or http to this host only: the password goes over this connection. */
        private static URI url(String step, String text) {
            URI url;
            try {
                url = new URI(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("step " + step + ": 'url' is not a URL: " + e.getMessage());
            }
            boolean https = "https".equals(url.getScheme());
            boolean loopbackHttp = "http".equals(url.getScheme()) && url.getHost() != null && isLoopback(url.getHost());
            if (!(https || loopbackHttp) || url.getHost() == null || url.getRawUserInfo() != null
                    || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("step " + step + ": 'url' must be https://HOST[:PORT][/PATH] (http only to"
                        + " 127.0.0.1 or localhost), with no user, query or fragment: '" + text + "'");
            }
            return url;
        }

        private static boolean isLoopback(String host) {
            if (host.equals("localhost")) {
                return true;
            }
            try {
                return (host.matches("[0-9.]+") || host.startsWith("[")) && InetAddress.getByName(host).isLoopbackAddress();
            } catch (IOException e) {
                return false;
            }
        }

        String tokenKey() {
            return url + "\n" + eauth + "\n" + username;
        }

        String describe() {
            return "salt-api " + url + " (user '" + username + "', eauth " + eauth + ")";
        }
    }

    /**
     * Sends one lowstate chunk to {@code POST /} and returns the first element of its
     * {@code return} list.
     */
    JsonNode run(Endpoint endpoint, Map<String, Object> lowstate) throws InterruptedException {
        String body;
        try {
            body = JSON.writeValueAsString(List.of(lowstate));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a lowstate: " + e.getMessage(), e);
        }
        String what = lowstate.get("client") + " " + lowstate.get("fun");
        JsonNode reply = withToken(endpoint, what, token -> request(endpoint, "/", token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        JsonNode first = reply.path("return").path(0);
        if (first.isMissingNode()) {
            throw new IllegalStateException(endpoint.describe() + " answered " + what + " without a 'return' list: " + excerpt(reply.toString()));
        }
        return first;
    }

    /** {@code GET /jobs/JID}: the job's information and return, as far as the minions have answered. */
    JsonNode job(Endpoint endpoint, String jid) throws InterruptedException {
        if (!JID.matcher(jid).matches()) {
            throw new PermanentStepException("step " + endpoint.step() + ": '" + excerpt(jid) + "' is not a Salt job id");
        }
        return withToken(endpoint, "job " + jid, token -> request(endpoint, "/jobs/" + jid, token).GET().build());
    }

    @FunctionalInterface
    private interface Call {
        HttpRequest with(String token);
    }

    private JsonNode withToken(Endpoint endpoint, String what, Call call) throws InterruptedException {
        Token token = tokens.get(endpoint.tokenKey());
        boolean fresh = false;
        if (token == null || !clock.instant().isBefore(token.renewAt())) {
            token = login(endpoint);
            fresh = true;
        }
        HttpResponse<String> response = send(endpoint, what, call.with(token.value()));
        if (response.statusCode() == 401 && !fresh) {
            // The token expired or the master restarted: log in again, once.
            LOG.info("{} refused its token for {}; logging in again", endpoint.describe(), what);
            tokens.remove(endpoint.tokenKey(), token);
            token = login(endpoint);
            response = send(endpoint, what, call.with(token.value()));
        }
        if (response.statusCode() == 401) {
            tokens.remove(endpoint.tokenKey(), token);
            throw new PermanentStepException(endpoint.describe() + " answered 401 Unauthorized to " + what
                    + " with a token it had just issued: the user may not run it (external_auth permissions)");
        }
        return json(endpoint, what, response);
    }

    private Token login(Endpoint endpoint) throws InterruptedException {
        String password = secrets.read(endpoint.password());
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("username", endpoint.username(), "password", password, "eauth", endpoint.eauth()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the login request", e);
        }
        HttpResponse<String> response = send(endpoint, "login", request(endpoint, "/login", null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new PermanentStepException(endpoint.describe() + " refused the login (" + response.statusCode()
                    + "): check the username, the password at " + endpoint.password() + " and the eauth module");
        }
        // The reply holds the token: it is never quoted in a message.
        JsonNode reply = json(endpoint, "login", response.statusCode(), response.body(), false);
        JsonNode first = reply.path("return").path(0);
        String value = first.path("token").asText("");
        if (value.isEmpty()) {
            throw new IllegalStateException(endpoint.describe() + " answered the login without a token");
        }
        Instant expire = first.path("expire").isNumber()
                ? Instant.ofEpochMilli((long) (first.path("expire").asDouble() * 1000)) : clock.instant().plus(Duration.ofHours(1));
        Token token = new Token(value, expire.minus(Duration.ofMinutes(1)));
        tokens.put(endpoint.tokenKey(), token);
        LOG.debug("{}: logged in, token valid until {}", endpoint.describe(), expire);
        return token;
    }

    private static HttpRequest.Builder request(Endpoint endpoint, String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(endpoint.url() + path))
                .timeout(endpoint.requestTime())
                .header("Accept", "application/json");
        if (token != null) {
            builder.header("X-Auth-Token", token);
        }
        return builder;
    }

    private HttpResponse<String> send(Endpoint endpoint, String what, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new Unavailable(endpoint.describe() + " did not answer " + what + " within "
                    + endpoint.requestTime().toSeconds() + " s", e);
        } catch (IOException e) {
            throw new Unavailable(endpoint.describe() + " could not be reached for " + what + ": " + e, e);
        }
    }

    private static JsonNode json(Endpoint endpoint, String what, HttpResponse<String> response) {
        return json(endpoint, what, response.statusCode(), response.body(), true);
    }

    private static JsonNode json(Endpoint endpoint, String what, int status, String body, boolean quote) {
        String said = quote ? ": " + excerpt(body) : "";
        if (status == 403) {
            throw new PermanentStepException(endpoint.describe() + " answered 403 Forbidden to " + what
                    + ": the user may not run it (external_auth permissions)" + said);
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new Unavailable(endpoint.describe() + " answered " + status + " to " + what + said, null);
        }
        if (status != 200) {
            throw new PermanentStepException(endpoint.describe() + " answered " + status + " to " + what + said);
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new Unavailable(endpoint.describe() + " answered " + what + " with something that is not JSON" + said, e);
        }
    }

    /**
     * salt-api did not answer, or answered 5xx, 408, 429 or not in JSON: a failure a retry may fix,
     * and, while a job is looked at, no news about the job.
     */
    static class Unavailable extends IllegalStateException {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static String excerpt(String text) {
        if (text == null) {
            return "";
        }
        String flat = text.strip().replaceAll("\\s+", " ");
        return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
    }
}
