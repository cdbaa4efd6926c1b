package dev.lifeguard.steps.salt;

import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the Salt steps share about the api transport. */
final class SaltSteps {
    private static final Logger LOG = LoggerFactory.getLogger(SaltSteps.class);

    private SaltSteps() {
    }

    static SaltApi api(SaltApi api, StepRequest request) {
        if (api == null) {
            throw new IllegalStateException("step " + request.config().stepName() + ": transport api is not available here");
        }
        return api;
    }

    /**
     * One look at a state job: its outcome, or null while it runs. salt-api being unreachable or
     * answering 5xx says nothing about the job, which goes on: that look counts as "still running",
     * and the step's timeout bounds the wait.
     */
    static StepOutcome look(SaltApi api, StepRequest request, String minion, String jid) throws InterruptedException {
        try {
            return SaltApiCalls.lookAtState(api(api, request), SaltApi.Endpoint.of(request), minion, jid);
        } catch (SaltApi.Unavailable e) {
            LOG.warn("{}: could not look at salt job {}: {}", request.config().stepName(), jid, e.getMessage());
            return null;
        }
    }
}
