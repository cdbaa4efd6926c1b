package dev.lifeguard.observe;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The status page's files, from the classpath's {@code status/} folder, each served by its bare
 * name ({@code /app.js} is {@code status/app.js}) with its content type. Nothing is fetched from
 * elsewhere at run time: deployments are often air-gapped. Only plain names of the listed types
 * are served, so no path can reach another resource.
 */
final class PageFiles {
    static final String INDEX = "index.html";
    /** A plain file name of a type the page uses; the name is the regex's first group. */
    static final String NAME = "^/([A-Za-z0-9_-]+\\.(?:html|js|css|svg|png|ico|json))$";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "json", "application/json");

    /** The files read once: they are part of the jar and do not change while it runs. */
    private final Map<String, byte[]> read = new ConcurrentHashMap<>();

    void serve(RoutingContext ctx, String name) {
        byte[] content = read.get(name);
        if (content == null) {
            content = load(name);
            if (content == null) {
                // Not kept: names asked for in vain would otherwise fill the map.
                ctx.next();
                return;
            }
            read.put(name, content);
        }
        ctx.response()
                .putHeader("Content-Type", TYPES.get(name.substring(name.lastIndexOf('.') + 1)))
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "no-cache")
                .end(Buffer.buffer(content));
    }

    private static byte[] load(String name) {
        try (InputStream in = PageFiles.class.getClassLoader().getResourceAsStream("status/" + name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
