package dev.lifeguard.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads the service's status as its page does while it is open in a browser: {@code observe/status}
 * every 2 s and {@code observe/fleet} every 10 s. The benchmark keeps one open during the service's
 * runs, so its targets are met with the page open, and counts the answers.
 */
final class StatusPageReader implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI status;
    private final URI fleet;
    private final Thread reader;
    private volatile boolean closed;
    final AtomicInteger statusOk = new AtomicInteger();
    final AtomicInteger fleetOk = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    StatusPageReader(int port) {
        this.status = URI.create("http://127.0.0.1:" + port + "/observe/status");
        this.fleet = URI.create("http://127.0.0.1:" + port + "/observe/fleet");
        this.reader = new Thread(this::read, "status-page");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        for (long tick = 0; !closed; tick++) {
            get(status, statusOk);
            if (tick % 5 == 0) {
                get(fleet, fleetOk);
            }
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void get(URI uri, AtomicInteger ok) {
        try {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            (answer.statusCode() == 200 ? ok : failed).incrementAndGet();
        } catch (Exception e) {
            // Before the management server listens, or while the service stops: a page shows its banner.
            if (!closed) {
                failed.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }
}
