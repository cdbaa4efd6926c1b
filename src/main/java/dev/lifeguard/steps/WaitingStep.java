package dev.lifeguard.steps;

import java.time.Duration;

/**
 * A step whose work happens elsewhere and takes long (an SSM command draining a Nomad node): it
 * sends the work and returns a handle, and is then looked at now and then, so that waiting for
 * it holds no thread. The handle is recorded before the first look, so a worker taking over the
 * event resumes the wait instead of sending the work again.
 */
public interface WaitingStep extends Step {

    /**
     * Whether this request waits elsewhere (and is parked); false runs it as a plain step that
     * holds its thread ({@link #run}), as a Salt step does with the local tools.
     */
    default boolean waits(StepRequest request) {
        return true;
    }

    /** Sends the work; returns the handle to wait on (an SSM command id). */
    String start(StepRequest request) throws Exception;

    /** One look at the work: its outcome once it has ended, or null while it is still running. Failures are thrown. */
    StepOutcome check(StepRequest request, String handle) throws Exception;

    /** How long to wait between two looks. */
    Duration checkEvery(StepRequest request);

    /**
     * The instance named by the status events its service publishes when the work changes status
     * (SSM's "EC2 Command Invocation Status-change Notification"), so that such an event finds this
     * wait by handle and instance; null for work that is only looked at (a salt job).
     */
    default String statusEventInstance(StepRequest request) {
        return null;
    }

    /** The step's time is up: stop the work if it can be stopped, and say why the step failed. */
    Exception timedOut(StepRequest request, String handle, String lastStatus);
}
