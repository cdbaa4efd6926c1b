package dev.lifeguard.engine;

/**
 * Why Lifeguard refused to act on an event that reads well: what AWS answered, as a bounded set
 * for the {@code lifeguard_refusals_total{reason}} label. The full reason, naming what matched,
 * goes to the outcome record and the dead-letter queue.
 */
public enum Refusal {
    /** A hook names an instance that is in no Auto Scaling group. */
    NOT_IN_GROUP,
    /** A hook names an instance of another group. */
    OTHER_GROUP,
    /** A hook names an instance that is not in the wait state its transition requires. */
    NOT_WAITING,
    /** Auto Scaling has no live action for the hook's token, group, hook and instance. */
    NOT_ACTIVE,
    /** Cleanup was asked for an instance that EC2 says is alive. */
    INSTANCE_ALIVE,
    /** Cleanup would act on a name or address that a live instance answers to. */
    IDENTIFIER_ALIVE;

    /** The metric label: {@code not-in-group}, {@code identifier-alive}, … */
    public String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
