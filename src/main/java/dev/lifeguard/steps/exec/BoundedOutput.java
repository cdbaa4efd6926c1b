package dev.lifeguard.steps.exec;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A program's standard output or error, kept within a bound while the program writes: the first
 * three quarters of {@link #LIMIT} bytes and the last quarter are kept, everything between is
 * counted and dropped. Every write is accepted, so the program is drained to its end and never
 * blocks on a full pipe, however much it prints; only memory is bounded. Tools print what went
 * wrong and their summaries last, which is why the end is kept as well as the start.
 */
public final class BoundedOutput extends OutputStream {
    /** At most this many bytes of one stream are kept. */
    public static final int LIMIT = 1024 * 1024;

    private final byte[] head;
    private final byte[] tail;
    private int headLength;
    /** Bytes written past the head: the tail holds the last {@code min(afterHead, tail.length)} of them. */
    private long afterHead;

    public BoundedOutput() {
        this(LIMIT);
    }

    BoundedOutput(int limit) {
        this.head = new byte[limit - limit / 4];
        this.tail = new byte[limit / 4];
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int toHead = Math.min(length, head.length - headLength);
        System.arraycopy(bytes, offset, head, headLength, toHead);
        headLength += toHead;
        offset += toHead;
        length -= toHead;
        if (length == 0 || tail.length == 0) {
            afterHead += length;
            return;
        }
        if (length > tail.length) {
            // Only the last tail.length bytes of this write can survive.
            afterHead += length - tail.length;
            offset += length - tail.length;
            length = tail.length;
        }
        while (length > 0) {
            int at = (int) (afterHead % tail.length);
            int n = Math.min(length, tail.length - at);
            System.arraycopy(bytes, offset, tail, at, n);
            afterHead += n;
            offset += n;
            length -= n;
        }
    }

    /** How many bytes the program wrote in all. */
    public synchronized long written() {
        return headLength + afterHead;
    }

    /** How many bytes were dropped: what was written beyond {@link #LIMIT}. */
    public synchronized long cut() {
        return Math.max(0, afterHead - tail.length);
    }

    /**
     * The kept bytes as UTF-8 text; when some were dropped, a line in their place says how many:
     * {@code [… 2097152 bytes cut (3145728 written, the first 786432 and the last 262144 kept) …]}.
     */
    public synchronized String text() {
        int kept = (int) Math.min(afterHead, tail.length);
        byte[] end = new byte[kept];
        int from = kept == 0 ? 0 : (int) ((afterHead - kept) % tail.length);
        int first = Math.min(kept, tail.length - from);
        System.arraycopy(tail, from, end, 0, first);
        System.arraycopy(tail, 0, end, first, kept - first);
        long cut = cut();
        if (cut == 0) {
            // Nothing dropped: one piece, so a character split between head and tail stays whole.
            byte[] all = Arrays.copyOf(head, headLength + kept);
            System.arraycopy(end, 0, all, headLength, kept);
            return new String(all, StandardCharsets.UTF_8);
        }
        return new String(head, 0, headLength, StandardCharsets.UTF_8) + "\n" + note(cut, written(), headLength, kept) + "\n"
                + new String(end, StandardCharsets.UTF_8);
    }

    private static String note(long cut, long written, int head, int tail) {
        return "[… " + cut + " bytes cut (" + written + " written, the first " + head + " and the last " + tail + " kept) …]";
    }
}
