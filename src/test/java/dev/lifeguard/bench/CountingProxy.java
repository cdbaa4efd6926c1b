package dev.lifeguard.bench;

import com.sun.net.httpserver.HttpExchange;
import dev.lifeguard.local.FleetStandIn;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP forwarding proxy on 127.0.0.1 that counts the calls passing through it by their
 * {@code X-Amz-Target} (SQS and DynamoDB both name the operation there) and remembers when each
 * operation was first seen. Put in front of ElasticMQ and DynamoDB Local so that the calls of the
 * process under test are counted and the bench's own calls, made directly, are not.
 */
final class CountingProxy implements AutoCloseable {
    private static final Set<String> NOT_FORWARDED = Set.of(
            "host", "content-length", "connection", "expect", "upgrade", "transfer-encoding", "keep-alive");

    private final String name;
    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure;

    CountingProxy(String name, URI upstream) throws IOException {
        FleetStandIn.noDelay();
        this.name = name;
        this.upstream = upstream;
        // Long polls hold a thread each for their whole wait.
        this.executor = Executors.newFixedThreadPool(48, r -> {
            Thread t = new Thread(r, name + "-proxy");
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void forward(HttpExchange exchange) {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String operation = target == null ? "(none)" : target.substring(target.indexOf('.') + 1);
            counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
            firstSeen.putIfAbsent(operation, System.currentTimeMillis());

            HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((header, values) -> {
                if (!NOT_FORWARDED.contains(header.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(header, v));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException | InterruptedException e) {
                failures.incrementAndGet();
                lastFailure = operation + ": " + e;
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            response.headers().map().forEach((header, values) -> {
                String lower = header.toLowerCase(Locale.ROOT);
                if (!NOT_FORWARDED.contains(lower) && !lower.equals(":status") && !lower.equals("date")) {
                    exchange.getResponseHeaders().put(header, List.copyOf(values));
                }
            });
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        } catch (IOException e) {
            // The caller went away (the process under test was stopped mid-call).
        }
    }

    Map<String, Long> counts() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Epoch ms when this operation first passed since the last reset, or null. */
    Long firstSeen(String operation) {
        return firstSeen.get(operation);
    }

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return name + " proxy: " + lastFailure;
    }

    void reset() {
        counts.clear();
        firstSeen.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
