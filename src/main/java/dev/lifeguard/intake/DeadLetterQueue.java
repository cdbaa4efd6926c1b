package dev.lifeguard.intake;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/** Sends a message Lifeguard will not (or can no longer) act on to the dead-letter queue, with why. */
public class DeadLetterQueue {
    /** Message attribute carrying the reason, readable with {@code aws sqs receive-message --message-attribute-names All}. */
    public static final String REASON = "LifeguardReason";
    public static final String SOURCE_MESSAGE_ID = "LifeguardSourceMessageId";
    /** Set when the body had to be cut to fit: how long it was and how much was kept. */
    public static final String TRUNCATED = "LifeguardTruncated";
    /** SQS's limit for a message's body and attributes together (names, types and values). */
    static final int MAX_MESSAGE_BYTES = 256 * 1024;
    private static final int MAX_REASON_CHARS = 1000;

    private final SqsClient sqs;
    private final String queueUrl;

    public DeadLetterQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    /**
     * Sends the body with its reason. A body that would not fit SQS's 256 KiB beside the reason
     * (a message that filled the limit on its own) is cut at a character boundary and marked, so
     * the refusal is never lost for want of room.
     */
    public void send(String body, String reason, String sourceMessageId) {
        String safeBody = body == null || body.isEmpty() ? "(empty body)" : sqsSafe(body);
        Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
        attributes.put(REASON, text(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) + "…" : reason));
        attributes.put(SOURCE_MESSAGE_ID, text(sourceMessageId == null ? "unknown" : sourceMessageId));
        byte[] bytes = safeBody.getBytes(StandardCharsets.UTF_8);
        // Room left for the body once the attributes, and a truncation mark, are counted.
        int room = MAX_MESSAGE_BYTES - size(attributes) - size(TRUNCATED, "original body of 9999999 bytes; kept the first 9999999");
        if (bytes.length > room) {
            String kept = cut(safeBody, room);
            attributes.put(TRUNCATED, text("original body of " + bytes.length + " bytes; kept the first "
                    + kept.getBytes(StandardCharsets.UTF_8).length));
            safeBody = kept;
        }
        String sent = safeBody;
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(sent).messageAttributes(attributes));
    }

    /** The longest prefix of {@code text} that is at most {@code maxBytes} in UTF-8, never splitting a character. */
    static String cut(String text, int maxBytes) {
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int length = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static int size(Map<String, MessageAttributeValue> attributes) {
        return attributes.entrySet().stream().mapToInt(e -> size(e.getKey(), e.getValue().stringValue())).sum();
    }

    /** How SQS counts an attribute: its name, its data type and its value, in bytes. */
    private static int size(String name, String value) {
        return name.getBytes(StandardCharsets.UTF_8).length + "String".length() + value.getBytes(StandardCharsets.UTF_8).length;
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(sqsSafe(value)).build();
    }

    /**
     * The text with every character SQS refuses in a message (control characters other than tab,
     * LF and CR, U+FFFE, U+FFFF, unpaired surrogates) written as a backslash-u escape. A reason quotes
     * the refused body, which may hold half of a character.
     */
    static String sqsSafe(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                out.append(c).append(text.charAt(++i));
            } else if (c == '\t' || c == '\n' || c == '\r' || c >= 0x20 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }
}
