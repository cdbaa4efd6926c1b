package dev.lifeguard.store;

/**
 * Another worker holds a live claim on this event. The message is left on the queue: when it
 * comes back the owner has either finished (and the copy is dropped as a duplicate) or died
 * (and its expired claim is taken over).
 */
public class ClaimHeldException extends RuntimeException {
    public ClaimHeldException(String key, String owner, long leaseExpiresAt) {
        super("event " + key + " is being handled by " + owner + " (lease until epoch second " + leaseExpiresAt + ")");
    }
}
