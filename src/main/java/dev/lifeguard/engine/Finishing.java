package dev.lifeguard.engine;

import dev.lifeguard.aws.Receipt;
import dev.lifeguard.event.HookResult;
import java.util.function.Function;

/**
 * A verdict on its way through {@code routes/finish.camel.yaml}, and what the finish did with it:
 * the body of that route from start to end. Each step writes what it did here ({@link
 * FinishSteps}), so the route reads as its steps and the engine reads the outcome back from one
 * typed value. A finish tried again (DynamoDB or Auto Scaling did not answer) goes through with
 * the same value, so a hook completed by the first try is not completed twice.
 */
public final class Finishing {
    private volatile Verdict verdict;
    private volatile HookResult completed;
    private volatile Boolean recorded;
    /** The verdict when Auto Scaling refuses the completion, which is then the token's check; null when a heartbeat checked it. */
    private final Function<String, Verdict> refusal;

    public Finishing(Verdict verdict) {
        this(verdict, null);
    }

    Finishing(Verdict verdict, Function<String, Verdict> refusal) {
        this.verdict = verdict;
        this.refusal = refusal;
    }

    /** A finish as the route leaves it: the hook completed with {@code completed} (or null), the outcome recorded or not. */
    public static Finishing done(Verdict verdict, HookResult completed, boolean recorded) {
        Finishing finishing = new Finishing(verdict);
        finishing.completed(completed);
        finishing.recorded(recorded);
        return finishing;
    }

    public Verdict getVerdict() {
        return verdict;
    }

    /** A hook to complete that this finish has not completed yet. */
    public boolean isCompletesHook() {
        return verdict.completesHook() && completed == null;
    }

    /** What Auto Scaling's completion gave, once sent: the result, or NOT_ACTIVE; null before. */
    public HookResult getCompleted() {
        return completed;
    }

    void completed(HookResult result) {
        this.completed = result;
    }

    boolean completionChecksToken() {
        return refusal != null;
    }

    /** Auto Scaling refused the completion that checked the token: nothing was completed, and the verdict is a refusal's. */
    void refused(String reason) {
        this.verdict = refusal.apply(reason);
    }

    /** Whether the outcome was written: false when the claim was no longer ours, null before. */
    public Boolean getRecorded() {
        return recorded;
    }

    void recorded(boolean recorded) {
        this.recorded = recorded;
    }

    public boolean isNotOurs() {
        return Boolean.FALSE.equals(recorded);
    }

    public boolean isRetrying() {
        return verdict.retrying();
    }

    public boolean isDeadLetters() {
        return verdict.deadLetters();
    }

    public Receipt getReceipt() {
        return verdict.receipt();
    }

    public String describe() {
        return verdict.event().describe();
    }
}
