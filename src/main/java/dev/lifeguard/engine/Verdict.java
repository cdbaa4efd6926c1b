package dev.lifeguard.engine;

import dev.lifeguard.aws.Receipt;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.steps.StepsReport;

/**
 * How an attempt at an event ended, handed to {@code routes/finish.camel.yaml}: the one place
 * that completes a hook, records the outcome and lets go of the message.
 *
 * @param result     SUCCEEDED, REFUSED (AWS did not confirm what the message says), ALREADY_ENDED (a hook Auto
 *                   Scaling no longer knows, met on a later attempt), RETRYING or GAVE_UP
 * @param hookResult CONTINUE or ABANDON for a hook to complete, else null
 * @param error      why the attempt failed, else null
 * @param claimed    false when the event could not be claimed (the failure came before), so the
 *                   outcome is written without the claim's condition
 */
public record Verdict(LifecycleEvent event, Inbound inbound, Outcome result, StepsReport report, HookResult hookResult,
                      String error, boolean claimed) {

    /** A hook to complete, with {@link #hookResult}. */
    public boolean completesHook() {
        return hookResult != null && event.isHook();
    }

    public boolean retrying() {
        return result == Outcome.RETRYING;
    }

    public boolean gaveUp() {
        return result == Outcome.GAVE_UP;
    }

    public boolean refused() {
        return result == Outcome.REFUSED;
    }

    /** Given up on or refused: the message goes to the dead-letter queue with the reason, once. */
    public boolean deadLetters() {
        return gaveUp() || refused();
    }

    public Receipt receipt() {
        return inbound.receipt();
    }

    /** The reason a message given up on carries to the dead-letter queue. */
    public String deadLetterReason() {
        return (refused() ? "refused " : "gave up on ") + event.describe() + ": " + error;
    }
}
