package dev.lifeguard.intake;

import dev.lifeguard.Settings;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.StepsFailedException;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.store.OutcomeRecorder;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.sqs.Sqs2Constants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what a failed exchange becomes. A refused message goes straight to the dead-letter
 * queue. Any other failure leaves the message on the queue for SQS to redeliver, until the
 * last allowed attempt: then the hook is completed with the failure result its transition's
 * policy names (so the instance never hangs in a wait state), the outcome is recorded and the
 * message is dead-lettered with the reason.
 */
public class FailureHandler {
    /** Exchange property holding the SQS body as received, before parsing replaced it. */
    public static final String RAW_BODY = "LifeguardRawBody";

    private static final Logger LOG = LoggerFactory.getLogger(FailureHandler.class);

    private final Settings settings;
    private final OutcomeRecorder outcomes;
    private final LifecycleActions lifecycleActions;
    private final DeadLetterQueue deadLetters;
    private final ProfileStore profiles;

    public FailureHandler(Settings settings, OutcomeRecorder outcomes, LifecycleActions lifecycleActions,
                          DeadLetterQueue deadLetters, ProfileStore profiles) {
        this.settings = settings;
        this.profiles = profiles;
        this.outcomes = outcomes;
        this.lifecycleActions = lifecycleActions;
        this.deadLetters = deadLetters;
    }

    /** The message cannot be an event: record, dead-letter, and let the original be deleted. */
    public void refuse(Exchange exchange) {
        String messageId = exchange.getMessage().getHeader(Sqs2Constants.MESSAGE_ID, String.class);
        String reason = "refused: " + caught(exchange).getMessage();
        LOG.warn("SQS message {} {}; sending it to the dead-letter queue", messageId, reason);
        outcomes.refused(messageId, reason);
        deadLetters.send(exchange.getProperty(RAW_BODY, String.class), reason, messageId);
    }

    /** Used as the {@code handled} predicate: only the last attempt is handled (and deleted). */
    public boolean isFinalAttempt(Exchange exchange) {
        return attempt(exchange) >= settings.maxAttempts();
    }

    public void onFailure(Exchange exchange) {
        Exception error = caught(exchange);
        String messageId = exchange.getMessage().getHeader(Sqs2Constants.MESSAGE_ID, String.class);
        int attempt = attempt(exchange);
        String reason = error.getClass().getSimpleName() + ": " + error.getMessage();
        LifecycleEvent event = exchange.getMessage().getBody() instanceof LifecycleEvent e ? e : null;
        if (!isFinalAttempt(exchange)) {
            LOG.warn("Attempt {} of {} failed for {} (SQS message {}): {}; leaving it for redelivery",
                    attempt, settings.maxAttempts(), event == null ? "message" : event.describe(), messageId, reason);
            if (event != null) {
                outcomes.failed(event, reason, false, null, report(error));
            }
            return;
        }
        String hookResult = null;
        if (event != null && event.isHook()) {
            hookResult = failureResult(event);
            try {
                lifecycleActions.complete(event, hookResult);
            } catch (RuntimeException completionError) {
                reason += "; completing the hook with " + hookResult + " failed too: " + completionError.getMessage();
                hookResult = null;
            }
        }
        LOG.error("Giving up on {} (SQS message {}) after {} attempts: {}; sending it to the dead-letter queue",
                event == null ? "message" : event.describe(), messageId, attempt, reason);
        if (event != null) {
            outcomes.failed(event, reason, true, hookResult, report(error));
        }
        deadLetters.send(exchange.getProperty(RAW_BODY, String.class), "gave up after " + attempt + " attempts: " + reason, messageId);
    }

    /** The group's profile decides, else lifeguard.hook.<transition>.on-failure. */
    private String failureResult(LifecycleEvent event) {
        boolean launching = event.kind() == Kind.LAUNCHING;
        String fromProfile = profiles.current().forGroup(event.groupName()).onFailure(launching ? "launching" : "terminating");
        return fromProfile != null ? fromProfile : settings.failureResult(launching);
    }

    private static StepsReport report(Exception error) {
        return error instanceof StepsFailedException failed ? failed.report() : null;
    }

    private static Exception caught(Exchange exchange) {
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        return error != null ? error : exchange.getException();
    }

    /** SQS's ApproximateReceiveCount (1 on the first delivery), which the consumer sets as a header. */
    static int attempt(Exchange exchange) {
        Integer count = exchange.getMessage().getHeader("ApproximateReceiveCount", Integer.class);
        return count == null ? 1 : count;
    }
}
