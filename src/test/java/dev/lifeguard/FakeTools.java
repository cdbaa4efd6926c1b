package dev.lifeguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The fake knife, salt and salt-key in src/test/fake-tools: what they were called with, and
 * the files that steer them (target/fake-tools/).
 */
public final class FakeTools {
    public static final Path STATE = Path.of("target/fake-tools");

    private FakeTools() {
    }

    /** Every recorded call, each as its argument list (the tool's name first). */
    public static List<List<String>> calls() {
        Path log = STATE.resolve("calls.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .map(line -> Arrays.asList(line.split("\u001f", -1)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls whose arguments mention a value (an instance id, a minion id). */
    public static List<List<String>> callsAbout(String value) {
        return calls().stream().filter(call -> call.stream().anyMatch(arg -> arg.contains(value))).toList();
    }

    public static void write(String name, String content) {
        try {
            Files.createDirectories(STATE);
            Files.writeString(STATE.resolve(name), content, StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void remove(String name) {
        try {
            Files.deleteIfExists(STATE.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
