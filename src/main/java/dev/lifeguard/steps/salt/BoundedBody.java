package dev.lifeguard.steps.salt;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The body of a salt-api answer, read up to {@link #LIMIT}. Its answers are small (a token, a job
 * id, one minion's state return), and with a thousand events in flight none may hold whatever an
 * endpoint chooses to send: what lies past the bound is not read, and closing the stream ends the
 * exchange. The body is read on the caller's thread ({@link HttpResponse.BodyHandlers#ofInputStream}),
 * not on the HTTP client's.
 */
final class BoundedBody {
    static final int LIMIT = 1024 * 1024;
    static final String CUT = "… (response cut at 1 MiB)";
    static final HttpResponse.BodyHandler<InputStream> HANDLER = HttpResponse.BodyHandlers.ofInputStream();

    private BoundedBody() {
    }

    /** The text of a body; {@code cut} when there was more than {@link #LIMIT} bytes of it. */
    record Text(String text, boolean cut) {
        /** For a message: the start of the body, ending with the note when it was cut. */
        String quote() {
            String start = SaltApi.excerpt(text);
            return cut ? start.replaceFirst("…$", "") + CUT : start;
        }
    }

    static Text read(InputStream body) throws IOException {
        try (body) {
            byte[] bytes = body.readNBytes(LIMIT + 1);
            boolean cut = bytes.length > LIMIT;
            // A cut may split a character: the decoder puts U+FFFD there, which no reader of a cut answer minds.
            return new Text(new String(bytes, 0, cut ? LIMIT : bytes.length, StandardCharsets.UTF_8), cut);
        }
    }
}
