package dev.lifeguard.steps.salt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.StepOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the Salt steps ask salt-api, as lowstate chunks. Keys go through the wheel client with
 * the {@code _dict} functions, whose {@code match} is a map of key status to a literal list of
 * ids (the plain {@code key.accept} / {@code key.delete} take a glob). States run through
 * {@code local_async} with {@code tgt_type: list} and a one-id list, so a target is never read as
 * a glob, and return a job id to wait on. Every minion id here has passed {@link SaltMinionId}.
 */
final class SaltApiCalls {
    static final String ACCEPTED = "minions";
    static final String PENDING = "minions_pre";
    static final String REJECTED = "minions_rejected";
    static final String DENIED = "minions_denied";

    private SaltApiCalls() {
    }

    /** Accepts the minion's pending key; a key already accepted is done; no key yet is a failure a retry may fix. */
    static StepOutcome acceptKey(SaltApi api, SaltApi.Endpoint endpoint, String minion) throws InterruptedException {
        String status = keyStatus(api, endpoint, minion);
        if (status == null) {
            throw new IllegalStateException("no key from minion " + minion + " on the master yet (the minion has not sent"
                    + " it, or it is still starting); " + endpoint.describe());
        }
        switch (status) {
            case ACCEPTED -> {
                return StepOutcome.alreadyDone("key " + minion + " already accepted");
            }
            case PENDING -> {
                JsonNode left = wheel(api, endpoint, "key.accept_dict", Map.of(PENDING, List.of(minion)));
                if (!contains(left, ACCEPTED, minion)) {
                    throw new IllegalStateException("key.accept_dict did not accept " + minion + ": the master now lists "
                            + SaltApi.excerpt(left.toString()));
                }
                return StepOutcome.succeeded("key " + minion + " accepted");
            }
            default -> throw new PermanentStepException("the key of minion " + minion + " is "
                    + (REJECTED.equals(status) ? "rejected" : "denied") + " on the master: it is not accepted without an"
                    + " operator (delete it there, and the minion sends it again)");
        }
    }

    /** Deletes the minion's key, whatever its status; no key at all is done. */
    static StepOutcome deleteKey(SaltApi api, SaltApi.Endpoint endpoint, String minion) throws InterruptedException {
        String status = keyStatus(api, endpoint, minion);
        if (status == null) {
            return StepOutcome.alreadyDone("no key for " + minion);
        }
        JsonNode left = wheel(api, endpoint, "key.delete_dict", Map.of(status, List.of(minion)));
        // delete_dict answers with the keys of the match that still exist.
        if (left.isObject() && left.size() > 0) {
            throw new IllegalStateException("key.delete_dict left the key of " + minion + ": " + SaltApi.excerpt(left.toString()));
        }
        return StepOutcome.succeeded("key " + minion + " deleted (was " + status + ")");
    }

    /** The status the master holds the minion's key in (minions, minions_pre, …), or null when it has none. */
    static String keyStatus(SaltApi api, SaltApi.Endpoint endpoint, String minion) throws InterruptedException {
        JsonNode keys = wheel(api, endpoint, "key.name_match", minion);
        for (String status : List.of(ACCEPTED, PENDING, REJECTED, DENIED)) {
            if (contains(keys, status, minion)) {
                return status;
            }
        }
        return null;
    }

    /** Starts {@code fun} on the minion alone; returns the job id. */
    static String startState(SaltApi api, SaltApi.Endpoint endpoint, String minion, String fun, List<String> args)
            throws InterruptedException {
        Map<String, Object> lowstate = new LinkedHashMap<>();
        lowstate.put("client", "local_async");
        lowstate.put("tgt", List.of(minion));
        lowstate.put("tgt_type", "list");
        lowstate.put("fun", fun);
        lowstate.put("arg", args);
        JsonNode job = api.run(endpoint, lowstate);
        String jid = job.path("jid").asText("");
        if (jid.isEmpty() || !contains(job, "minions", minion)) {
            // local_async answers {} (or no minions) when the target matched no connected minion.
            throw new IllegalStateException(fun + " on " + minion + " was not started: no minion " + minion
                    + " is connected with an accepted key (" + endpoint.describe() + " answered " + SaltApi.excerpt(job.toString()) + ")");
        }
        if (!SaltApi.JID.matcher(jid).matches()) {
            throw new IllegalStateException(endpoint.describe() + " gave " + fun + " on " + minion + " a job id that is not one: "
                    + SaltApi.excerpt(jid));
        }
        return jid;
    }

    /**
     * One look at a job: null while the minion has not returned, else the outcome; a state that
     * did not succeed fails the step.
     */
    static StepOutcome lookAtState(SaltApi api, SaltApi.Endpoint endpoint, String minion, String jid) throws InterruptedException {
        JsonNode reply = api.job(endpoint, jid);
        JsonNode states = reply.path("return").path(0).path(minion);
        if (states.isMissingNode() || states.isNull()) {
            return null;
        }
        JsonNode result = reply.path("info").path(0).path("Result").path(minion);
        String fun = reply.path("info").path(0).path("Function").asText("state run");
        String what = fun + " on " + minion + " (jid " + jid + ")";
        if (!states.isObject()) {
            // A render error, a missing SLS, a busy minion: salt returns a list of strings or a string.
            throw new IllegalStateException(what + " did not run: " + SaltApi.excerpt(states.toString()));
        }
        SaltStateRun.Tally tally = SaltStateRun.Tally.of(states);
        String summary = what + ": " + tally.total() + " states, " + tally.changed() + " changed";
        int retcode = result.path("retcode").asInt(0);
        if (!tally.failed().isEmpty() || tally.total() == 0 && retcode != 0) {
            throw new IllegalStateException(summary + ", " + tally.failed().size() + " failed: " + String.join("; ", tally.failed())
                    + (tally.failed().isEmpty() ? "retcode " + retcode : ""));
        }
        return StepOutcome.succeeded(summary);
    }

    /** Runs a wheel function and returns its {@code return}, after checking that it succeeded. */
    private static JsonNode wheel(SaltApi api, SaltApi.Endpoint endpoint, String fun, Object match) throws InterruptedException {
        Map<String, Object> lowstate = new LinkedHashMap<>();
        lowstate.put("client", "wheel");
        lowstate.put("fun", fun);
        lowstate.put("match", match);
        JsonNode data = api.run(endpoint, lowstate).path("data");
        if (!data.path("success").asBoolean(false)) {
            throw new IllegalStateException("wheel " + fun + " failed on " + endpoint.describe() + ": "
                    + SaltApi.excerpt(data.path("return").toString()));
        }
        return data.path("return");
    }

    private static boolean contains(JsonNode node, String field, String value) {
        for (JsonNode item : node.path(field)) {
            if (value.equals(item.asText())) {
                return true;
            }
        }
        return false;
    }
}
