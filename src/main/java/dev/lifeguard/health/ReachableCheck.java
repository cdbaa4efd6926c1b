package dev.lifeguard.health;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one dependency Lifeguard cannot work without (the queue, the table): DOWN, with
 * the reason, while it cannot be reached. Liveness is left to Camel's own context check: an
 * unreachable queue is a reason to stop sending work here, not to restart the process.
 */
public final class ReachableCheck extends AbstractHealthCheck {
    private final Supplier<Optional<String>> problem;

    /** @param problem what is wrong right now, or empty when the dependency answers */
    public ReachableCheck(String id, Supplier<Optional<String>> problem) {
        super("lifeguard", id);
        this.problem = problem;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, java.util.Map<String, Object> options) {
        Optional<String> wrong = problem.get();
        if (wrong.isPresent()) {
            builder.down().message(wrong.get());
        } else {
            builder.up();
        }
    }
}
