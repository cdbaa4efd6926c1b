package dev.lifeguard.steps.salt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static dev.lifeguard.steps.salt.SaltApiStandIn.JID;
import static dev.lifeguard.steps.salt.SaltApiStandIn.PASSWORD;
import static dev.lifeguard.steps.salt.SaltApiStandIn.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lifeguard.steps.BoundedBody;
import dev.lifeguard.steps.Secrets;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** salt-api's answers are read up to 1 MiB, and cut there with a note, however much is sent. */
class SaltApiBoundedBodyTest {
    private static SaltApiStandIn salt;

    @BeforeAll
    static void start() {
        salt = SaltApiStandIn.start();
    }

    @AfterAll
    static void stop() {
        salt.stop();
    }

    @BeforeEach
    void reset() {
        salt.reset();
    }

    @Test
    void anEndlessBodyIsReadOnlyUpToTheBound() throws IOException {
        AtomicLong read = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                Arrays.fill(buffer, offset, offset + length, (byte) 'x');
                read.addAndGet(length);
                return length;
            }
        };

        BoundedBody.Text text = BoundedBody.read(endless);

        assertTrue(text.cut());
        assertEquals(BoundedBody.LIMIT, text.text().length());
        assertTrue(read.get() <= BoundedBody.LIMIT + 1, "read " + read.get() + " bytes");
        assertTrue(SaltApi.quote(text).endsWith("x… (response cut at 1 MiB)"), SaltApi.quote(text));
    }

    @Test
    void aBodyOfExactlyTheBoundIsWhole() throws IOException {
        byte[] bytes = new byte[BoundedBody.LIMIT];
        Arrays.fill(bytes, (byte) 'x');

        BoundedBody.Text text = BoundedBody.read(new ByteArrayInputStream(bytes));

        assertFalse(text.cut());
        assertEquals(BoundedBody.LIMIT, text.text().length());
    }

    @Test
    void aJobAnswerOverTheBoundFailsTheStepSayingSoInsteadOfLookingLikeARunningJob() {
        salt.stubLogin();
        salt.wire.stubFor(SaltApiStandIn.job(JID).willReturn(SaltApiStandIn.json(
                "{\"info\": [{\"jid\": \"" + JID + "\", \"padding\": \"" + "x".repeat(3 * BoundedBody.LIMIT) + "\"}]}")));

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new SaltState(null, api()).check(salt.request("salt-state", Map.of()), JID));

        assertFalse(error instanceof SaltApi.Unavailable, "a look would take it for a job still running");
        assertTrue(error.getMessage().contains("answered job " + JID + " with more than 1 MiB"), error::getMessage);
        assertTrue(error.getMessage().endsWith("… (response cut at 1 MiB)"), error::getMessage);
        assertTrue(error.getMessage().length() < 1000, "the message quotes only the answer's start");
    }

    @Test
    void anErrorPageOverTheBoundIsQuotedByItsStartAndTheNote() {
        salt.stubLogin();
        salt.wire.stubFor(SaltApiStandIn.job(JID).willReturn(aResponse().withStatus(500)
                .withBody("<html>Internal error " + "y".repeat(BoundedBody.LIMIT) + "</html>")));

        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> new SaltApi(secrets()).job(SaltApi.Endpoint.of(salt.request("salt-state", Map.of())), JID));

        assertInstanceOf(SaltApi.Unavailable.class, error);
        assertTrue(error.getMessage().contains("answered 500 to job " + JID + ": <html>Internal error yyy"), error::getMessage);
        assertTrue(error.getMessage().endsWith("… (response cut at 1 MiB)"), error::getMessage);
    }

    /** A salt-api that never stops sending: the step ends anyway, having read no more than the bound. */
    @Test
    void anEndlessAnswerOverTheWireIsCut() throws Exception {
        AtomicLong sent = new AtomicLong();
        HttpServer endless = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        endless.createContext("/login", exchange -> {
            byte[] body = ("{\"return\": [{\"token\": \"" + TOKEN + "\", \"expire\": 4102444800.5}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        endless.createContext("/jobs/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = exchange.getResponseBody()) {
                out.write('{');
                // Until the client hangs up (or a bound far past the client's, should it never).
                while (sent.get() < 64L * BoundedBody.LIMIT) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException hungUp) {
                // The client closed the connection: what this test expects.
            }
        });
        endless.start();
        try {
            Map<String, Object> config = new HashMap<>(Map.of("url", "http://127.0.0.1:" + endless.getAddress().getPort()));
            IllegalStateException error = assertThrows(IllegalStateException.class,
                    () -> new SaltState(null, api()).check(salt.request("salt-state", config), JID));

            assertTrue(error.getMessage().contains("with more than 1 MiB"), error::getMessage);
            assertTrue(error.getMessage().endsWith("… (response cut at 1 MiB)"), error::getMessage);
        } finally {
            endless.stop(0);
        }
    }

    private static SaltApi api() {
        return new SaltApi(secrets());
    }

    private static Secrets secrets() {
        return new Secrets(null, Map.of("SALT_API_PASSWORD", PASSWORD)::get);
    }
}
