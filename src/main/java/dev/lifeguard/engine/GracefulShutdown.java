package dev.lifeguard.engine;

import java.time.Duration;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On SIGTERM (Camel Main stops the context), before Camel stops any route: stop polling at once
 * ({@code PollingSqsClient}: a blocked long poll ends instead of sitting out up to 20 s),
 * then let the engine finish running steps within the grace and hand the rest back. The routes
 * are still up meanwhile, so events that end within the grace are completed the usual way.
 */
public class GracefulShutdown extends EventNotifierSupport {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

    private final Runnable stopPolling;
    private final EventEngine engine;
    private final Duration grace;

    public GracefulShutdown(Runnable stopPolling, EventEngine engine, Duration grace) {
        this.stopPolling = stopPolling;
        this.engine = engine;
        this.grace = grace;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        LOG.info("Stopping: no more polling; running steps get up to {} s to finish", grace.toSeconds());
        try {
            stopPolling.run();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the polls failed: {}", e.getMessage());
        }
        engine.shutdown(grace);
    }
}
