package dev.lifeguard.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** An event's fields in the logging context while its work runs, and gone after, on any thread. */
class EventContextTest {
    private final LifecycleEvent hook = Fixtures.parse(Fixtures.read("hook-launching.json"));

    @AfterEach
    void clean() {
        MDC.clear();
    }

    @Test
    void theEventsFieldsWhileOpenAndNothingAfter() {
        try (EventContext context = EventContext.of(hook)) {
            assertEquals(hook.idempotencyKey(), MDC.get(EventContext.EVENT_ID));
            assertEquals(hook.groupName(), MDC.get(EventContext.GROUP));
            assertEquals(hook.instanceId(), MDC.get(EventContext.INSTANCE));
            assertEquals("autoscaling:EC2_INSTANCE_LAUNCHING", MDC.get(EventContext.TRANSITION));
            assertNull(MDC.get(EventContext.STEP));
            assertFalse(MDC.getCopyOfContextMap().toString().contains("production"), "notification metadata is never logged");
        }
        assertTrue(context().isEmpty(), () -> "left behind: " + context());
    }

    @Test
    void aStepWithinItsEventEndsWithoutEndingTheEvent() {
        try (EventContext event = EventContext.of(hook)) {
            try (EventContext step = EventContext.of(hook, "drain")) {
                assertEquals("drain", MDC.get(EventContext.STEP));
                assertEquals(hook.idempotencyKey(), MDC.get(EventContext.EVENT_ID));
            }
            assertNull(MDC.get(EventContext.STEP));
            assertEquals(hook.idempotencyKey(), MDC.get(EventContext.EVENT_ID));
        }
        assertTrue(context().isEmpty());
    }

    @Test
    void fieldsTheEventLacksAreLeftOutNotCarriedOver() {
        LifecycleEvent request = Fixtures.parse(Fixtures.read("cleanup-request-lambda-mop.json"));
        try (EventContext outer = EventContext.of(hook, "drain")) {
            try (EventContext inner = EventContext.of(request)) {
                assertEquals(request.idempotencyKey(), MDC.get(EventContext.EVENT_ID));
                assertEquals(request.groupName(), MDC.get(EventContext.GROUP));
                assertEquals(request.instanceId(), MDC.get(EventContext.INSTANCE));
                assertNull(MDC.get(EventContext.STEP), "not the outer event's step");
            }
            assertEquals(hook.groupName(), MDC.get(EventContext.GROUP), "the outer event's fields are back");
            assertEquals("drain", MDC.get(EventContext.STEP));
        }
    }

    @Test
    void wrappedWorkRunsInTheContextOnThePoolThreadAndLeavesNothingThere() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Map<String, String> during = new HashMap<>();
            Map<String, String> after = new HashMap<>();
            pool.submit(EventContext.wrap(hook, "clean", () -> during.putAll(context()))).get(10, TimeUnit.SECONDS);
            pool.submit(() -> after.putAll(context())).get(10, TimeUnit.SECONDS);
            assertEquals(hook.idempotencyKey(), during.get(EventContext.EVENT_ID));
            assertEquals("clean", during.get(EventContext.STEP));
            assertTrue(after.isEmpty(), () -> "the next task on the thread saw " + after);
            assertTrue(context().isEmpty(), "the submitting thread's context is untouched");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closedEvenWhenTheWorkFails() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            pool.submit(EventContext.wrap(hook, () -> {
                throw new IllegalStateException("a step's bug");
            }));
            Map<String, String> after = new HashMap<>();
            pool.submit(() -> after.putAll(context())).get(10, TimeUnit.SECONDS);
            assertTrue(after.isEmpty(), () -> "the next task on the thread saw " + after);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * JSON logs carry the context's fields as JSON strings, escaped; the text format does not
     * print them, and a line logged in the context of a hostile group name stays one line.
     */
    @Test
    void aHostileGroupNameInTheContextNeverBreaksATextLine() {
        LifecycleEvent hostile = new LifecycleEvent(hook.kind(), hook.eventName(), hook.envelope(), "web\r\nFAKE LOG LINE",
                hook.instanceId(), hook.hookName(), hook.actionToken(), null, hook.requestId(), hook.messageId(), hook.time(),
                null, null, null, null, null);
        try (EventContext context = EventContext.of(hostile, "drain")) {
            assertEquals("web\r\nFAKE LOG LINE", MDC.get(EventContext.GROUP), "the context holds the name as it is");
            String line = TextLogs.line(context(), "Stopped heartbeats for {}", hostile.describe());
            assertEquals(1, line.split("\n", -1).length - 1, () -> "one line: " + line);
            assertFalse(line.contains("\r"), line);
            assertTrue(line.contains("group=\"web\\r\\nFAKE LOG LINE\""), line);
        }
    }

    private static Map<String, String> context() {
        Map<String, String> map = MDC.getCopyOfContextMap();
        return map == null ? Map.of() : map;
    }
}
