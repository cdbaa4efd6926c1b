package dev.lifeguard.engine;

import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.WaitingStep;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** A waiting step between two looks: what it waits on, until when, and when to look next. */
final class Parked {
    final HeldEvent held;
    final int index;
    final WaitingStep step;
    final StepRequest request;
    final String handle;
    final long startedAt;
    final Instant deadline;
    /** Handle and instance, when status events can end this wait; null when it is only looked at. */
    final String waitKey;
    volatile Instant nextCheck;
    volatile String lastStatus = "not yet visible";
    final AtomicBoolean checking = new AtomicBoolean();

    Parked(HeldEvent held, int index, WaitingStep step, StepRequest request, String handle, long startedAt,
           Instant deadline, Instant nextCheck, String waitKey) {
        this.waitKey = waitKey;
        this.held = held;
        this.index = index;
        this.step = step;
        this.request = request;
        this.handle = handle;
        this.startedAt = startedAt;
        this.deadline = deadline;
        this.nextCheck = nextCheck;
    }
}
