package dev.lifeguard.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lifeguard.store.ClaimStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The words Lifeguard writes to DynamoDB, logs, metric labels and the commands' output come from
 * these enums' names; operators' queries, alarms and dashboards match them. Renaming a constant
 * would change them silently: this test is where such a change has to be made on purpose.
 */
class WordsTest {

    @Test
    void theWordsAreThoseOperatorsRelyOn() {
        assertEquals(List.of("SUCCEEDED", "RETRYING", "GAVE_UP", "REFUSED", "ALREADY_ENDED", "IGNORED", "RETAINED", "RESUMED"),
                names(Outcome.values()));
        assertEquals(List.of("CONTINUE", "ABANDON", "NOT_ACTIVE"), names(HookResult.values()));
        assertEquals(List.of("CLAIMED", "RELEASED", "DONE"), names(ClaimStatus.values()));
    }

    @Test
    void onlyContinueAndAbandonCanBeChosen() {
        assertEquals(Optional.of(HookResult.ABANDON), HookResult.choice(" abandon "));
        assertEquals(Optional.of(HookResult.CONTINUE), HookResult.choice("Continue"));
        assertEquals(Optional.empty(), HookResult.choice("NOT_ACTIVE"));
        assertEquals(Optional.empty(), HookResult.choice(""));
        assertEquals("CONTINUE or ABANDON", HookResult.describeChoices());
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }
}
