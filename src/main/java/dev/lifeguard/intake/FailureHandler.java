package dev.lifeguard.intake;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.log.Bugs;
import dev.lifeguard.metrics.LifeguardMetrics;
import software.amazon.awssdk.core.exception.SdkException;
import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.engine.FailurePolicy;
import dev.lifeguard.engine.Inbound;
import dev.lifeguard.engine.Finishing;
import dev.lifeguard.engine.Verdict;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.store.OutcomeRecorder;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failure at intake becomes (parsing, claiming, dispatching: failures of steps
 * are the engine's). A refused message goes straight to its queue's dead-letter queue. Any other
 * failure leaves the message to come back when its visibility runs out, until the last allowed
 * delivery: then a hook's failure result is handed to {@code direct:finish}, which completes
 * it, records the outcome and dead-letters the message, so the instance never hangs.
 */
public class FailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

    private final FailurePolicy policy;
    private final int visibilitySeconds;
    private final OutcomeRecorder outcomes;
    /** Each intake queue's own dead-letter queue, by the intake queue's URL. */
    private final Map<String, DeadLetterQueue> deadLetters;
    private final SqsMessages messages;
    private final LifeguardMetrics metrics;
    private final Bugs bugs = new Bugs(java.time.Clock.systemUTC());

    /** @param visibilitySeconds how soon a message left to come back does (for the log lines) */
    /** @param deadLetters each intake queue's dead-letter queue, by the intake queue's URL */
    public FailureHandler(FailurePolicy policy, int visibilitySeconds, OutcomeRecorder outcomes, Map<String, DeadLetterQueue> deadLetters,
                          SqsMessages messages, LifeguardMetrics metrics) {
        this.policy = policy;
        this.visibilitySeconds = visibilitySeconds;
        this.metrics = metrics;
        this.outcomes = outcomes;
        this.deadLetters = Map.copyOf(deadLetters);
        this.messages = messages;
    }

    /**
     * The message cannot be an event: record, dead-letter, and delete the original. The record
     * goes first, so a redelivery (the delete was lost) is recognised and not dead-lettered twice.
     * When DynamoDB or the dead-letter queue cannot be reached, the message is left to come back
     * and be tried again: never lost, never deleted without its dead letter.
     */
    public void refuse(Exchange exchange) {
        Inbound inbound = Inbound.of(exchange);
        String reason = "refused: " + caught(exchange).getMessage();
        try {
            if (outcomes.refused(inbound.messageId(), reason)) {
                LOG.warn("SQS message {} {}; sending it to the dead-letter queue", inbound.messageId(), reason);
                deadLetterQueue(inbound).send(inbound.rawBody(), reason, inbound.messageId());
                metrics.deadLettered("refused");
                outcomes.deadLettered(inbound.messageId());
            }
            messages.delete(inbound.receipt());
        } catch (RuntimeException e) {
            Outages.warnUnlessOutage(LOG, e, "Could not dead-letter SQS message {} ({}); it comes back in {} s and is tried again",
                    inbound.messageId(), describe(e), visibilitySeconds);
        }
    }

    /**
     * @return a verdict for {@code direct:finish} on the last delivery of an event, else null
     *         (the message is left to come back)
     */
    public Finishing onFailure(Exchange exchange) {
        Exception error = caught(exchange);
        Inbound inbound = Inbound.of(exchange);
        String reason = describe(error);
        LifecycleEvent event = exchange.getMessage().getBody() instanceof LifecycleEvent e ? e : null;
        if (!fromAws(error)) {
            // Neither an outage nor an answer from AWS: a bug, which wants its stack trace.
            bugs.report(LOG, "Intake failed unexpectedly for SQS message " + inbound.messageId(), error);
        }
        // An outage is never a reason to give up: the hook would get its failure result only
        // because DynamoDB or SQS was away for a while. The message comes back until it answers.
        // No failure at intake is permanent (a body that is not an event is refused instead): only deliveries count.
        if (!policy.givesUp(inbound.receiveCount(), false) || event == null || Outages.isOutage(error)) {
            Outages.warnUnlessOutage(LOG, error, "Delivery {} of {} failed at intake for {} (SQS message {}): {}; it comes back"
                    + " in {} s", inbound.receiveCount(), policy.maxAttempts(), event == null ? "a message" : event.describe(),
                    inbound.messageId(), reason, visibilitySeconds);
            return null;
        }
        LOG.error("Giving up on {} (SQS message {}) after {} deliveries: {}", event.describe(), inbound.messageId(),
                inbound.receiveCount(), reason);
        return new Finishing(new Verdict(event, inbound, Outcome.GAVE_UP, null, policy.hookResult(event),
                "failed at intake on delivery " + inbound.receiveCount() + ": " + reason, false));
    }

    /**
     * The last delivery's finish failed too (Auto Scaling, DynamoDB or SQS did not answer):
     * one line, and the message is left to come back, when finishing is tried again.
     */
    public void finishFailed(Exchange exchange) {
        Exception error = caught(exchange);
        Inbound inbound = Inbound.of(exchange);
        Outages.warnUnlessOutage(LOG, error, "Could not finish SQS message {} after its last delivery ({}); it comes back in {} s",
                inbound.messageId(), describe(error), visibilitySeconds);
        if (!fromAws(error)) {
            bugs.report(LOG, "Finishing failed unexpectedly for SQS message " + inbound.messageId(), error);
        }
    }

    /** Sends a message given up on, or refused after asking AWS, to the dead-letter queue with the reason. */
    public void deadLetter(Verdict verdict) {
        deadLetterQueue(verdict.inbound()).send(verdict.inbound().rawBody(), verdict.deadLetterReason(), verdict.inbound().messageId());
        metrics.deadLettered(verdict.refused() ? "refused" : "gave-up");
    }

    /** The dead-letter queue of the queue the message came from, never another queue's. */
    private DeadLetterQueue deadLetterQueue(Inbound inbound) {
        DeadLetterQueue queue = deadLetters.get(inbound.receipt().queueUrl());
        if (queue == null) {
            throw new IllegalStateException("SQS message " + inbound.messageId() + " came from " + inbound.receipt().queueUrl()
                    + ", which is not an intake queue of this service");
        }
        return queue;
    }

    private static boolean fromAws(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SdkException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Exception error) {
        return Outages.describe(error);
    }

    private static Exception caught(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        return error != null ? error : exchange.getException();
    }
}
