package dev.lifeguard.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Cutting a body to fit SQS never splits a character (the send itself is tested over the wire in IntakeRouteTest). */
class DeadLetterQueueTest {

    @Test
    void aCutKeepsWholeCharactersWithinTheByteBudget() {
        String text = "ab\u00e9\u20ac\uD83D\uDE00z"; // 1 + 1 + 2 + 3 + 4 + 1 bytes
        assertEquals("ab", DeadLetterQueue.cut(text, 3), "é needs two bytes, only one is left");
        assertEquals("ab\u00e9", DeadLetterQueue.cut(text, 6));
        assertEquals("ab\u00e9\u20ac", DeadLetterQueue.cut(text, 10), "the emoji's four bytes do not fit in three");
        assertEquals(text, DeadLetterQueue.cut(text, 100));
        for (int budget = 0; budget < 13; budget++) {
            String kept = DeadLetterQueue.cut(text, budget);
            assertEquals(true, kept.getBytes(StandardCharsets.UTF_8).length <= budget);
            assertEquals(true, text.startsWith(kept));
        }
    }
}
