package dev.lifeguard;

/** A setting is missing or wrong; the message names the setting and what to put there. */
public class MisconfiguredException extends IllegalStateException {
    public MisconfiguredException(String message) {
        super(message);
    }

    public MisconfiguredException(String message, Throwable cause) {
        super(message, cause);
    }
}
