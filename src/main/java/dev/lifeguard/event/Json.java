package dev.lifeguard.event;

import com.fasterxml.jackson.databind.JsonNode;

/** Field access that refuses, with the field's name, instead of returning surprises. */
final class Json {
    private Json() {
    }

    /** The text of an optional string field; null when absent or JSON null. */
    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new RefusedMessageException(field + " must be a string, found " + value.getNodeType());
        }
        return value.textValue();
    }

    static String requiredText(JsonNode node, String field) {
        String value = optionalText(node, field);
        if (value == null || value.isBlank()) {
            throw new RefusedMessageException(field + " is missing");
        }
        return value;
    }

    /** Bounded free text (metadata, causes): kept for the record, never used as an identifier. */
    static String freeText(JsonNode node, String field, int maxLength) {
        String value = optionalText(node, field);
        if (value != null && value.length() > maxLength) {
            return value.substring(0, maxLength) + "…";
        }
        return value;
    }
}
