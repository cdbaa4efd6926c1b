package dev.lifeguard.log;

import dev.lifeguard.event.LifecycleEvent;
import org.slf4j.MDC;

/**
 * The event a thread is working on, in the logging context (SLF4J's MDC) of every line it logs
 * meanwhile: JSON logs carry it as the fields {@value #EVENT_ID}, {@value #GROUP},
 * {@value #INSTANCE}, {@value #TRANSITION} and {@value #STEP}. Opened where a piece of work for
 * an event starts, on whichever thread runs it, and closed when it ends:
 *
 * <pre>{@code
 * try (EventContext context = EventContext.of(event)) {
 *     ...
 * }
 * }</pre>
 *
 * Closing puts back what the thread's context held before (nothing, on a pool thread), so a
 * thread never carries one event's fields into another's lines, and contexts may nest (a step
 * within its event). Fields the event does not have are left out. Notification metadata, which
 * operators fill freely, is never put here.
 */
public final class EventContext implements AutoCloseable {
    /** The event's idempotency key, the key of its item in the table ({@code hook#<instance>#<digest>}, ...). */
    public static final String EVENT_ID = "eventId";
    public static final String GROUP = "group";
    public static final String INSTANCE = "instance";
    /** The lifecycle transition or notification event, as Auto Scaling spells it. */
    public static final String TRANSITION = "transition";
    /** The name of the profile's step, while a step runs. */
    public static final String STEP = "step";

    private static final String[] KEYS = {EVENT_ID, GROUP, INSTANCE, TRANSITION, STEP};

    private final String[] previous = new String[KEYS.length];

    private EventContext(String... values) {
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = MDC.get(KEYS[i]);
            set(KEYS[i], values[i]);
        }
    }

    /** The event's fields, without a step. */
    public static EventContext of(LifecycleEvent event) {
        return of(event, null);
    }

    /** The event's fields and the step running for it. */
    public static EventContext of(LifecycleEvent event, String step) {
        return new EventContext(event.idempotencyKey(), event.groupName(), event.instanceId(), event.eventName(), step);
    }

    /** The work, run in the event's context on whichever thread runs it. */
    public static Runnable wrap(LifecycleEvent event, Runnable work) {
        return wrap(event, null, work);
    }

    /** The work of one step, run in the event's and the step's context on whichever thread runs it. */
    public static Runnable wrap(LifecycleEvent event, String step, Runnable work) {
        return () -> {
            try (EventContext context = of(event, step)) {
                work.run();
            }
        };
    }

    /** Puts back what the thread's context held before this was opened. */
    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            set(KEYS[i], previous[i]);
        }
    }

    private static void set(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
