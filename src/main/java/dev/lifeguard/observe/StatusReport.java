package dev.lifeguard.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.Version;
import dev.lifeguard.engine.EventEngine;
import dev.lifeguard.profiles.ProfileStore;
import java.util.List;

/**
 * What {@code GET /observe/status} and the {@code lifeguard} developer console show: this
 * replica's ledger, its profiles and the dead-letter queue's depth. Reading it calls no AWS API
 * but the dead-letter queue's one attribute read, at most every 30 s.
 */
public final class StatusReport {
    private final String replica;
    private final String version = Version.version();
    private final EventEngine engine;
    private final ProfileStore profiles;
    /** Each intake queue's dead-letter queue. */
    private final List<DeadLetterDepth> deadLetters;

    /** @param replica the owner this replica writes on its claims */
    public StatusReport(String replica, EventEngine engine, ProfileStore profiles, List<DeadLetterDepth> deadLetters) {
        this.replica = replica;
        this.engine = engine;
        this.profiles = profiles;
        this.deadLetters = List.copyOf(deadLetters);
    }

    public ObjectNode json() {
        return StatusJson.of(replica, version, engine.ledger(), profiles.loaded(),
                deadLetters.stream().map(DeadLetterDepth::read).toList());
    }
}
