package dev.lifeguard.event;

/**
 * How an attempt at an event ended. The constant's name is the word itself: it is written to the
 * {@code result} attribute of the outcome record, the event's INFO log line, the {@code result}
 * label of {@code lifeguard_events_total} and what {@code history} prints, and operators' queries
 * and alarms match on it, so a constant is never renamed.
 */
public enum Outcome {
    /** Every step succeeded (or there were none); a hook is completed CONTINUE. */
    SUCCEEDED,
    /** A step failed and attempts remain: the claim is released and the message comes back. */
    RETRYING,
    /** A permanent failure, or the last attempt failed: a hook gets its failure result, the message is dead-lettered. */
    GAVE_UP,
    /** AWS did not confirm what the message says (or it could not be read): nothing ran. */
    REFUSED,
    /** A hook that Auto Scaling no longer knows when a later attempt asks: completed earlier, or timed out. */
    ALREADY_ENDED,
    /** An Auto Scaling event Lifeguard does not act on, recorded and deleted. */
    IGNORED,
    /**
     * A terminating hook given up on and completed ABANDON whose instance Auto Scaling then
     * retained ({@code Terminating:Retained}, the group's instance lifecycle policy): it waits for
     * {@code resume}. Written over GAVE_UP once Auto Scaling shows the instance retained.
     */
    RETAINED,
    /** A retained instance whose remaining steps {@code resume} ran, and which it then terminated. */
    RESUMED
}
