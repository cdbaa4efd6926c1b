package dev.lifeguard.event;

/**
 * A message Lifeguard will not act on: not JSON, an unknown shape, a missing field or a value
 * that fails validation. Refused messages go to the dead-letter queue with this message as the
 * reason; they are never retried, because retrying cannot make them valid.
 */
public class RefusedMessageException extends RuntimeException {
    public RefusedMessageException(String reason) {
        super(reason);
    }

    public RefusedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
