package dev.lifeguard.steps.salt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.steps.BoundedBody;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Secrets;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepRequest;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of salt-api's rest_cherrypy module, for the Salt steps with {@code transport: api}.
 *
 * <p>Authentication: {@code POST /login} with {@code eauth}, {@code username} and
 * {@code password} returns a token, sent as {@code X-Auth-Token} on every later request. Logins
 * are shared ({@link SaltLogins}): one at a time per URL, eauth and user, and its token is used by
 * every request until it expires or is refused. The password is read (from its {@code file:},
 * {@code env:} or {@code ssm:} reference) only to log in. Neither the password nor the token is
 * ever logged or put into a message.
 *
 * <p>A refusal (401, or 403) of a request with a token is not yet evidence of a missing
 * permission: a restart of salt-api or of the master forgets every token, and a token expires. The
 * token is dropped, a new one obtained (one login for all the requests that held it) and the
 * request repeated once; only a refusal of that new token, or of the login itself, is a
 * permission problem, and permanent. Other 4xx are permanent too; 5xx, 408, 429, an answer that
 * is not JSON, a refused connection and an unanswered or timed-out request are not. An answer is
 * read up to {@link BoundedBody#LIMIT}.
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
    private final SaltLogins logins;

    /** An answer: its status and its body, as far as it was read. */
    private record Answer(int status, BoundedBody.Text body) {
        /** 401, or 403, which some salt-api setups answer instead to a token they do not (or no longer) accept. */
        boolean refused() {
            return status == 401 || status == 403;
        }
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
        this.logins = new SaltLogins(this::logIn, clock);
    }

    /** Whether a Salt step parks: only salt-api jobs do; an unknown transport runs, and fails with the reason. */
    static boolean waits(StepRequest request) {
        try {
            return chosen(request);
        } catch (IllegalArgumentException unknownTransport) {
            return false;
        }
    }

    /** True when the step says {@code transport: api}; false for the default, {@code local}. */
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
        SaltLogins.Token token = logins.token(endpoint);
        Answer answer = send(endpoint, what, call.with(token.value()));
        if (answer.refused()) {
            // A restart of salt-api or the master, or an expiry, explains this as well as a missing
            // permission does: only a token issued after this one was refused can tell them apart.
            LOG.info("{} refused its token for {} ({}); logging in again and repeating the request once",
                    endpoint.describe(), what, answer.status());
            token = logins.replacing(endpoint, token);
            answer = send(endpoint, what, call.with(token.value()));
            if (answer.refused()) {
                throw permissionProblem(endpoint, "it refused " + what + " (" + answer.status() + ") again with a token it had"
                        + " just issued, which no restart or expired token explains; check that external_auth in the master config"
                        + " gives user '" + endpoint.username() + "' (eauth " + endpoint.eauth() + ") this function: @wheel for keys,"
                        + " state.* on the minions for states");
            }
        }
        return json(endpoint, what, answer, true);
    }

    /** One {@code POST /login}, for {@link SaltLogins}, which shares it. */
    private SaltLogins.Issued logIn(Endpoint endpoint) throws InterruptedException {
        String password = secrets.read(endpoint.password());
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("username", endpoint.username(), "password", password, "eauth", endpoint.eauth()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the login request", e);
        }
        Answer answer = send(endpoint, "login", request(endpoint, "/login", null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        if (answer.refused()) {
            throw permissionProblem(endpoint, "it refused the login (" + answer.status() + "): check the username '"
                    + endpoint.username() + "', the password at " + endpoint.password() + ", that eauth " + endpoint.eauth()
                    + " accepts them on the master, and that external_auth in the master config lists the user under "
                    + endpoint.eauth());
        }
        // The reply holds the token: it is never quoted in a message.
        JsonNode first = json(endpoint, "login", answer, false).path("return").path(0);
        String value = first.path("token").asText("");
        if (value.isEmpty()) {
            throw new IllegalStateException(endpoint.describe() + " answered the login without a token");
        }
        Instant expire = first.path("expire").isNumber()
                ? Instant.ofEpochMilli((long) (first.path("expire").asDouble() * 1000)) : clock.instant().plus(Duration.ofHours(1));
        LOG.info("{}: logged in, token valid until {}", endpoint.describe(), expire);
        return new SaltLogins.Issued(value, expire);
    }

    /**
     * A refusal that nothing but a permission explains: permanent, said plainly with what to check
     * (an operator finds "permission problem" in the step's error and in this log line).
     */
    private static PermanentStepException permissionProblem(Endpoint endpoint, String what) {
        String message = endpoint.describe() + ": permission problem: " + what;
        LOG.warn("{}", message);
        return new PermanentStepException(message);
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

    private Answer send(Endpoint endpoint, String what, HttpRequest request) throws InterruptedException {
        try {
            HttpResponse<InputStream> response = http.send(request, BoundedBody.HANDLER);
            return new Answer(response.statusCode(), BoundedBody.read(response.body()));
        } catch (HttpTimeoutException e) {
            throw new Unavailable(endpoint.describe() + " did not answer " + what + " within "
                    + endpoint.requestTime().toSeconds() + " s", e);
        } catch (IOException e) {
            throw new Unavailable(endpoint.describe() + " could not be reached for " + what + ": " + e, e);
        }
    }

    /** The answer's JSON; {@code quote}: whether its body may be quoted in a message (not the login's, which holds the token). */
    private static JsonNode json(Endpoint endpoint, String what, Answer answer, boolean quote) {
        int status = answer.status();
        if (status >= 500 || status == 408 || status == 429) {
            throw new Unavailable(endpoint.describe() + " answered " + status + " to " + what + said(answer, quote), null);
        }
        if (status != 200) {
            throw new PermanentStepException(endpoint.describe() + " answered " + status + " to " + what + said(answer, quote));
        }
        if (answer.body().cut()) {
            // Not a passing fault: the same question gets the same answer, and a look at a job must not
            // take it for "still running" until the step's timeout.
            throw new IllegalStateException(endpoint.describe() + " answered " + what + " with more than 1 MiB, more than"
                    + " Lifeguard reads" + said(answer, quote));
        }
        try {
            return JSON.readTree(answer.body().text());
        } catch (IOException e) {
            throw new Unavailable(endpoint.describe() + " answered " + what + " with something that is not JSON"
                    + said(answer, quote), e);
        }
    }

    /** For a message: the start of a body, ending with the note when it was cut. */
    static String quote(BoundedBody.Text body) {
        String start = excerpt(body.text());
        return body.cut() ? start.replaceFirst("…$", "") + BoundedBody.CUT : start;
    }

    /** What a message quotes of an answer: its start, or, for one never quoted, only whether it was cut. */
    private static String said(Answer answer, boolean quote) {
        if (quote) {
            return ": " + quote(answer.body());
        }
        return answer.body().cut() ? " " + BoundedBody.CUT : "";
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
