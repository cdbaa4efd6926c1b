package dev.lifeguard.engine;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a held event is in its life on this replica, and the moves allowed between. Every move
 * is a compare-and-set on {@link HeldEvent#move}, so two pools racing to end an event (a step's
 * verdict and a takeover, say) cannot both win.
 *
 * <pre>
 *   CLAIMED → CONFIRMING → QUEUED → RUNNING → FINISHING → DONE
 *   (every stage before FINISHING) → FINISHING, LOST or HANDED_BACK;  FINISHING → LOST
 * </pre>
 */
enum Stage {
    /** Claimed in DynamoDB; its kind's route has not started it yet. */
    CLAIMED,
    /** A hook being confirmed with Auto Scaling. */
    CONFIRMING,
    /** Waiting for a slot of its group's {@code max-in-flight}. */
    QUEUED,
    /** In its slot: steps running or parked. */
    RUNNING,
    /** Its verdict is with {@code direct:finish} (tried again while DynamoDB or Auto Scaling does not answer). */
    FINISHING,
    /** Finished here and let go. */
    DONE,
    /** Its claim was taken over by another replica: nothing more happens here. */
    LOST,
    /** Given back at shutdown, or after intake failed: claim released, message visible again. */
    HANDED_BACK;

    private static final Set<Stage> BEFORE_VERDICT = EnumSet.of(CLAIMED, CONFIRMING, QUEUED, RUNNING);
    private static final Map<Stage, Set<Stage>> MOVES = Map.of(
            CLAIMED, EnumSet.of(CONFIRMING, QUEUED, FINISHING, LOST, HANDED_BACK),
            CONFIRMING, EnumSet.of(QUEUED, FINISHING, LOST, HANDED_BACK),
            QUEUED, EnumSet.of(RUNNING, FINISHING, LOST, HANDED_BACK),
            RUNNING, EnumSet.of(FINISHING, LOST, HANDED_BACK),
            FINISHING, EnumSet.of(DONE, LOST),
            DONE, EnumSet.noneOf(Stage.class),
            LOST, EnumSet.noneOf(Stage.class),
            HANDED_BACK, EnumSet.noneOf(Stage.class));

    boolean mayMoveTo(Stage next) {
        return MOVES.get(this).contains(next);
    }

    /** Still before its verdict: something may yet start, run or end it. */
    boolean live() {
        return BEFORE_VERDICT.contains(this);
    }

    /** Its lease is still kept: live, or finishing (the outcome is written under the claim's condition). */
    boolean leased() {
        return live() || this == FINISHING;
    }
}
