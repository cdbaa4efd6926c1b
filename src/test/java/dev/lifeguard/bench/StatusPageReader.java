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
        try {
            // The page is opened once the service answers, as a person opens it after start-up.
            while (!closed && !get(status, statusOk, false)) {
                Thread.sleep(100);
            }
            for (long tick = 0; !closed; tick++) {
                if (tick > 0) {
                    get(status, statusOk, true);
                }
                if (tick % 5 == 0) {
                    get(fleet, fleetOk, true);
                }
                Thread.sleep(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param counted whether a failure counts: once the page is open, a read nobody answers is one the page would show */
    private boolean get(URI uri, AtomicInteger ok, boolean counted) {
        try {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (answer.statusCode() == 200) {
                ok.incrementAndGet();
                return true;
            }
        } catch (java.io.IOException e) {
            // not listening yet, or stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (counted && !closed) {
            failed.incrementAndGet();
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
    }
}
