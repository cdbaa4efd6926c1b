package dev.lifeguard.steps;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The body of an HTTP answer a step reads (salt-api, the Chef Server API), read up to
 * {@link #LIMIT}. Their answers are small (a token, a job id, a list of node names), and with a
 * thousand events in flight none may hold whatever a server chooses to send: what lies past the
 * bound is not read, and closing the stream ends the exchange. The body is read on the caller's
 * thread ({@link HttpResponse.BodyHandlers#ofInputStream}), not on the HTTP client's.
 */
public final class BoundedBody {
    public static final int LIMIT = 1024 * 1024;
    /** What a message says after the start of an answer that had to be cut. */
    public static final String CUT = "… (response cut at 1 MiB)";
    public static final HttpResponse.BodyHandler<InputStream> HANDLER = HttpResponse.BodyHandlers.ofInputStream();

    private BoundedBody() {
    }

    /** The text of a body; {@code cut} when there was more than {@link #LIMIT} bytes of it. */
    public record Text(String text, boolean cut) {
    }

    public static Text read(InputStream body) throws IOException {
        try (body) {
            byte[] bytes = body.readNBytes(LIMIT + 1);
            boolean cut = bytes.length > LIMIT;
            // A cut may split a character: the decoder puts U+FFFD there, which no reader of a cut answer minds.
            return new Text(new String(bytes, 0, cut ? LIMIT : bytes.length, StandardCharsets.UTF_8), cut);
        }
    }
}
