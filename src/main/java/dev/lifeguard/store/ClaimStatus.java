package dev.lifeguard.store;

/**
 * Where an event's claim stands, in the {@code status} attribute of its item. The constant's
 * name is the word written there, which {@code history}, operators' queries and the claim's own
 * conditional writes compare against: never renamed.
 */
public enum ClaimStatus {
    /** A worker holds the event; its lease says until when. */
    CLAIMED,
    /** The attempt failed, was refused or was handed back: the next delivery may claim it again. */
    RELEASED,
    /** Its outcome is recorded: a later copy is a duplicate. */
    DONE
}
