package dev.lifeguard.steps.chef;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeguard.steps.BoundedBody;
import dev.lifeguard.steps.PermanentStepException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The three Chef Infra Server API calls chef-cleanup makes, each signed (see {@link ChefSigner}):
 * a partial search for the nodes with an EC2 instance id, and the deletion of a node and of a
 * client. 403 fails permanently with the server's reason; a 401 is worth a retry, since a key
 * rotated between reading it and signing with it (the next attempt reads it afresh) or a server
 * restarting explains it as well as a wrong key does; so are 408, 429, 5xx and timeouts. An
 * answer is read up to {@link BoundedBody#LIMIT}; a longer one is cut there and the connection
 * let go, so a server cannot fill the memory.
 */
final class ChefServerApi {
    static final String SERVER_API_VERSION = "1";
    static final String CHEF_VERSION = "18.0.0";
    /** A partial search returns only the node's name instead of the whole node object. */
    private static final byte[] NAME_ONLY = "{\"name\":[\"name\"]}".getBytes(StandardCharsets.UTF_8);

    private final HttpClient http;
    private final URI server;
    private final String client;
    private final PrivateKey key;
    private final Instant deadline;
    private final Clock clock;
    private final String step;
    private final ObjectMapper json = new ObjectMapper();

    ChefServerApi(HttpClient http, URI server, String client, PrivateKey key, Instant deadline, Clock clock, String step) {
        this.http = http;
        this.server = server;
        this.client = client;
        this.key = key;
        this.deadline = deadline;
        this.clock = clock;
        this.step = step;
    }

    /** @return the names in the rows of {@code POST /search/node?q=QUERY}, unchecked */
    List<String> searchNodes(String query) {
        Reply response = send("POST", "/search/node", "q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), NAME_ONLY);
        if (response.statusCode() != 200) {
            throw failure("search for " + query, response);
        }
        if (response.cut()) {
            // A partial search names each node in a few dozen bytes: an answer this long is no such list.
            throw new IllegalStateException(step + ": the Chef server's search answer is longer than " + BoundedBody.LIMIT
                    + " bytes; it was cut there and not read as JSON");
        }
        try {
            List<String> names = new ArrayList<>();
            for (JsonNode row : json.readTree(response.body()).path("rows")) {
                names.add(row.path("data").path("name").asText(null));
            }
            return names;
        } catch (IOException e) {
            throw new IllegalStateException(step + ": the Chef server's search answer is not JSON");
        }
    }

    /** @return true when deleted, false when it was already gone (404) */
    boolean delete(String kind, String name) {
        Reply response = send("DELETE", "/" + kind + "s/" + segment(name), null, new byte[0]);
        if (response.statusCode() == 404) {
            return false;
        }
        if (response.statusCode() / 100 == 2) {
            return true;
        }
        throw failure("DELETE " + kind + " " + name, response);
    }

    /** An answer: its status and at most {@link BoundedBody#LIMIT} bytes of its body. */
    record Reply(int statusCode, BoundedBody.Text text) {
        String body() {
            return text.text();
        }

        boolean cut() {
            return text.cut();
        }
    }

    private Reply send(String method, String path, String query, byte[] body) {
        String fullPath = server.getRawPath() + path;
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
            throw new IllegalStateException(step + ": the step's timeout passed before " + method + " " + fullPath);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(fullPath + (query == null ? "" : "?" + query)))
                .timeout(left)
                .header("Accept", "application/json")
                .header("X-Chef-Version", CHEF_VERSION)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body.length > 0) {
            request.header("Content-Type", "application/json");
        }
        ChefSigner.headers(key, client, method, fullPath, body, clock.instant(), SERVER_API_VERSION).forEach(request::header);
        try {
            HttpResponse<InputStream> response = http.send(request.build(), BoundedBody.HANDLER);
            return new Reply(response.statusCode(), BoundedBody.read(response.body()));
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException(step + ": " + method + " " + fullPath + " on " + server.getHost() + " timed out");
        } catch (IOException e) {
            throw new IllegalStateException(step + ": " + method + " " + fullPath + " on " + server.getHost() + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(step + ": interrupted during " + method + " " + fullPath);
        }
    }

    private RuntimeException failure(String what, Reply response) {
        int status = response.statusCode();
        String reason = excerpt(response.body()) + (response.cut() ? " " + BoundedBody.CUT : "");
        if (status == 401) {
            // Only evidence makes a failure permanent: the attempts run out on a key that is truly wrong.
            return new IllegalStateException(step + ": the Chef server refused to authenticate client " + client
                    + " (HTTP 401; wrong key or client name, a key rotated meanwhile, or a clock more than 15 minutes off)"
                    + " for " + what + ": " + reason);
        }
        if (status == 403) {
            return new PermanentStepException(step + ": Chef client " + client + " may not " + what + " (HTTP 403; grant it"
                    + " delete on nodes and clients): " + reason);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new IllegalStateException(step + ": the Chef server answered HTTP " + status + " to " + what + ": " + reason);
        }
        return new PermanentStepException(step + ": the Chef server answered HTTP " + status + " to " + what + ": " + reason);
    }

    private static String excerpt(String body) {
        String text = body == null ? "" : body.replaceAll("\\p{Cntrl}", " ").strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** A path segment, percent-encoded per RFC 3986: unreserved characters stay, every other byte is %XX. */
    static String segment(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
