package dev.lifeguard.store;

import dev.lifeguard.event.LifecycleEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * What an event item says about its event, written by the claim and again by the outcome:
 * {@code kind}, {@code eventName}, {@code envelope}, {@code groupName}, {@code instanceId}
 * (the keys of the indexes), {@code hookName}, {@code requestId}, {@code messageId},
 * {@code eventTime}, {@code nodeName}, {@code ipAddress}, {@code origin}, {@code destination}, {@code account}, {@code region}. Notification metadata is never
 * written: operators put secrets there.
 */
final class EventAttributes {
    private static final int MAX_TEXT = 2000;

    private EventAttributes() {
    }

    static Map<String, AttributeValue> of(LifecycleEvent event) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        put(values, "kind", event.kind().name());
        put(values, "eventName", event.eventName());
        put(values, "envelope", event.envelope().name());
        put(values, LifeguardTable.GROUP_NAME, event.groupName());
        put(values, LifeguardTable.INSTANCE_ID, event.instanceId());
        put(values, "hookName", event.hookName());
        put(values, "requestId", event.requestId());
        put(values, "messageId", event.messageId());
        put(values, "eventTime", event.time());
        put(values, "nodeName", event.nodeName());
        put(values, "ipAddress", event.ipAddress());
        put(values, "origin", event.origin());
        put(values, "destination", event.destination());
        put(values, "account", event.account());
        put(values, "region", event.region());
        return values;
    }

    private static void put(Map<String, AttributeValue> values, String name, String value) {
        if (value != null) {
            values.put(name, AttributeValue.fromS(value.length() > MAX_TEXT ? value.substring(0, MAX_TEXT) + "…" : value));
        }
    }
}
