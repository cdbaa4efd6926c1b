package dev.lifeguard.engine;

import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.store.StepRecord;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Runs an event's steps outside the service, for {@code resume}: the same steps, settings and
 * records as the service's, one after another in the profile's order (an operator is watching,
 * and nothing waits on a hook's timeout any more), each until it ends or its {@code timeout} is
 * up. A step the event's record shows ended (succeeded, already done or skipped) is not run again,
 * as a redelivered event skips it; each step that ends well is handed to {@code recorded} at once, so
 * that a resume that fails later does not run it again either.
 */
public final class RemainingSteps {
    private final Map<String, Step> steps;
    private final boolean dryRun;
    private final Clock clock;

    public RemainingSteps(Map<String, Step> steps, boolean dryRun, Clock clock) {
        this.steps = Map.copyOf(steps);
        this.dryRun = dryRun;
        this.clock = clock;
    }

    /** What each spec did: run now, or ended in an earlier attempt ({@code ran} says which). */
    public record Ran(StepResult result, boolean ran) {
    }

    public List<Ran> run(LifecycleEvent event, InstanceFacts facts, List<StepSpec> specs, Map<String, StepRecord> earlier,
                         BiConsumer<String, StepRecord> recorded) {
        List<Ran> ran = new ArrayList<>();
        for (StepSpec spec : specs) {
            StepRecord before = earlier.get(spec.name());
            if (before != null && before.ended()) {
                ran.add(new Ran(new StepResult(spec.name(), spec.type(), before.status(), 0,
                        "(an earlier attempt) " + (before.detail() == null ? "" : before.detail()), false), false));
                continue;
            }
            long startedAt = clock.millis();
            StepResult result = runOne(spec, new StepRequest(event, facts, spec.config(), dryRun, Heartbeat.NONE));
            if (!result.failed()) {
                recorded.accept(spec.name(), new StepRecord(result.status(), result.detail(), null, startedAt));
            }
            ran.add(new Ran(result, true));
        }
        return ran;
    }

    /** The report of a run, for the record and the command's output. */
    public static StepsReport report(LifecycleEvent event, List<Ran> ran) {
        return StepsReport.of(event.kind().route(), ran.stream().map(Ran::result).toList());
    }

    /** One step, within its profile's {@code timeout} as in the service: past it, the step is interrupted and failed. */
    private StepResult runOne(StepSpec spec, StepRequest request) {
        long start = clock.millis();
        ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "lifeguard-resume-step");
            t.setDaemon(true);
            return t;
        });
        Future<StepOutcome> running = thread.submit(() -> steps.get(spec.type()).run(request));
        try {
            return StepResult.of(spec.name(), spec.type(), running.get(spec.timeout().toMillis(), TimeUnit.MILLISECONDS),
                    clock.millis() - start);
        } catch (TimeoutException e) {
            running.cancel(true);
            return StepResult.failed(spec.name(), spec.type(), clock.millis() - start,
                    "timed out after " + spec.timeout().toSeconds() + " s", false);
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            return StepResult.failed(spec.name(), spec.type(), clock.millis() - start, "interrupted", false);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return StepResult.failed(spec.name(), spec.type(), clock.millis() - start, StepFailures.describe(cause),
                    StepFailures.isPermanent(cause));
        } finally {
            thread.shutdownNow();
        }
    }
}
