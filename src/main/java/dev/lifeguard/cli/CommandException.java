package dev.lifeguard.cli;

/** A command cannot do what it was asked: the message is the one line printed, the status the exit status. */
final class CommandException extends RuntimeException {
    private final int status;

    CommandException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
