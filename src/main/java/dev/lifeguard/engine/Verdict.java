package dev.lifeguard.engine;

import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.StepsReport;

/**
 * How an attempt at an event ended, handed to {@code routes/finish.camel.yaml}: the one place
 * that completes a hook, records the outcome and lets go of the message.
 *
 * @param result     SUCCEEDED, REFUSED (the instance still lives), RETRYING or GAVE_UP
 * @param hookResult CONTINUE or ABANDON for a hook to complete, else null
 * @param error      why the attempt failed, else null
 * @param claimed    false when the event could not be claimed (the failure came before), so the
 *                   outcome is written without the claim's condition
 * @param completedWith set when an earlier try of this verdict completed the hook already (then only
 *                      recording failed): it is not completed again
 */
public record Verdict(LifecycleEvent event, Inbound inbound, String result, StepsReport report, String hookResult,
                      String error, boolean claimed, String completedWith) {

    public Verdict(LifecycleEvent event, Inbound inbound, String result, StepsReport report, String hookResult,
                   String error, boolean claimed) {
        this(event, inbound, result, report, hookResult, error, claimed, null);
    }

    public boolean completesHook() {
        return hookResult != null && event.isHook() && completedWith == null;
    }

    /** The same verdict, its hook completed with {@code result} already. */
    public Verdict completed(String result) {
        return new Verdict(event, inbound, this.result, report, hookResult, error, claimed, result);
    }

    public boolean retrying() {
        return "RETRYING".equals(result);
    }

    public boolean gaveUp() {
        return "GAVE_UP".equals(result);
    }

    public String receiptHandle() {
        return inbound.receiptHandle();
    }

    /** The reason a message given up on carries to the dead-letter queue. */
    public String deadLetterReason() {
        return "gave up on " + event.describe() + ": " + error;
    }
}
