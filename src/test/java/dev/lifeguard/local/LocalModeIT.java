package dev.lifeguard.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command as a newcomer runs it ({@code mvn -q -Plocal -Dlocal.args=once} runs
 * this class): local mode says where its page is, and while the samples go by the page, its
 * data, health and metrics answer there; then it prints the summary and exits 0.
 */
class LocalModeIT {
    private static final String PAGE = "http://127.0.0.1:9876/";
    private static final List<String> PATHS = List.of("", "observe/status", "observe/health/ready", "observe/metrics");

    @Test
    void theStatusPageHealthAndMetricsAnswerWhileTheSamplesGoBy() throws Exception {
        Process local = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LocalMode.class.getName(), "once")
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        Set<String> answered = ConcurrentHashMap.newKeySet();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(local.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
                if (line.equals("open " + PAGE)) {
                    // Asked while the samples go by, from another thread, so the output keeps flowing.
                    Thread reader = new Thread(() -> PATHS.forEach(path -> answer(http, path, answered)));
                    reader.setDaemon(true);
                    reader.start();
                    reader.join(Duration.ofSeconds(20).toMillis());
                }
            }
        } finally {
            if (!local.waitFor(90, TimeUnit.SECONDS)) {
                local.destroyForcibly();
            }
        }
        assertEquals(0, local.exitValue(), output::toString);
        assertTrue(output.toString().contains("open " + PAGE), output::toString);
        assertEquals(Set.copyOf(PATHS), answered, () -> "answered 200 at " + PAGE + "; output:\n" + output);
    }

    private static void answer(HttpClient http, String path, Set<String> answered) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(PAGE + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                answered.add(path);
            }
        } catch (IOException e) {
            // not answered: the assertion names it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
