package dev.lifeguard.observe;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.support.service.ServiceSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds the status page and its data to Camel's management server (the port of
 * {@code /observe/health} and {@code /observe/metrics}, {@code lifeguard.health.port}), the way
 * camel-micrometer-prometheus adds {@code /observe/metrics}: {@code GET /observe/status}, the
 * fleet's events at {@code GET /observe/fleet}, and the page's files at {@code /}. Read-only:
 * only GET is served. With the management server off
 * ({@code lifeguard.health.port=0}) nothing is added and nothing listens.
 */
public final class StatusEndpoints extends ServiceSupport implements CamelContextAware {
    private static final Logger LOG = LoggerFactory.getLogger(StatusEndpoints.class);
    static final String STATUS_PATH = "/observe/status";
    static final String FLEET_PATH = "/observe/fleet";

    private final StatusReport report;
    private final FleetReads fleet;
    private CamelContext camelContext;

    public StatusEndpoints(StatusReport report, FleetReads fleet) {
        this.report = report;
        this.fleet = fleet;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doStart() {
        ManagementHttpServer server = camelContext.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        VertxPlatformHttpRouter router = server.getRouter();
        // Reading the dead-letter queue's depth may call SQS: off the event loop.
        router.route(STATUS_PATH).method(HttpMethod.GET).produces("application/json")
                .blockingHandler(ctx -> json(ctx, () -> report.json().toString()), false);
        // Every replica's events from the table: queries DynamoDB, so off the event loop too.
        router.route(FLEET_PATH).method(HttpMethod.GET).produces("application/json")
                .blockingHandler(ctx -> json(ctx, fleet::json), false);
        PageFiles files = new PageFiles();
        router.route("/").method(HttpMethod.GET).handler(ctx -> files.serve(ctx, PageFiles.INDEX));
        router.routeWithRegex(HttpMethod.GET, PageFiles.NAME).handler(ctx -> files.serve(ctx, ctx.pathParam("param0")));
        LOG.info("Status page on http://{}:{}/ and its data on {}", server.getHost(), server.getPort(), STATUS_PATH);
    }

    private void json(RoutingContext ctx, Supplier<String> answer) {
        String body;
        try {
            body = answer.get();
        } catch (RuntimeException e) {
            LOG.warn("Could not answer {}", ctx.request().path(), e);
            ctx.response().setStatusCode(500).putHeader("Content-Type", "text/plain; charset=utf-8").end(String.valueOf(e));
            return;
        }
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(body);
    }
}
