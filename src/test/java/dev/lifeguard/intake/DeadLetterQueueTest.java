package dev.lifeguard.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Cutting a body to fit SQS never splits a character, and a reason never carries a character SQS
 * refuses (the sends themselves are tested over the wire in IntakeRouteTest and HostileBodiesTest).
 */
class DeadLetterQueueTest {

    @Test
    void aCutKeepsWholeCharactersWithinTheByteBudget() {
        String text = "ab\u00e9\u20ac\uD83D\uDE00z"; // 1 + 1 + 2 + 3 + 4 + 1 bytes
        assertEquals("ab", DeadLetterQueue.cut(text, 3), "é needs two bytes, only one is left");
        assertEquals("ab\u00e9", DeadLetterQueue.cut(text, 6));
        assertEquals("ab\u00e9\u20ac", DeadLetterQueue.cut(text, 10), "the emoji's four bytes do not fit in three");
        assertEquals(text, DeadLetterQueue.cut(text, 100));
        assertEquals("", DeadLetterQueue.cut(text, 0));
        for (int budget = 0; budget < 13; budget++) {
            String kept = DeadLetterQueue.cut(text, budget);
            assertEquals(true, kept.getBytes(StandardCharsets.UTF_8).length <= budget);
            assertEquals(true, text.startsWith(kept));
        }
    }

    @Test
    void whatSqsRefusesIsEscapedAndEverythingElseKept() {
        assertEquals("a\\u0000b\\u0007c", DeadLetterQueue.sqsSafe("a\u0000b\u0007c"));
        assertEquals("half \\ud83d of a pair", DeadLetterQueue.sqsSafe("half \ud83d of a pair"));
        assertEquals("\\ufffe\\uffff", DeadLetterQueue.sqsSafe("\ufffe\uffff"));
        String fine = "tab\tnewline\nreturn\r \u00e9\u20ac\ud83d\ude00 \ufffd";
        assertEquals(fine, DeadLetterQueue.sqsSafe(fine));
    }
}
