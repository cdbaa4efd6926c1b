package dev.lifeguard.steps.salt;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;

/**
 * The log lines of the steps (DEBUG and up) while a test runs: to check that neither the password
 * nor the token is ever logged, and to wait, without guessing a delay, until requests have reached
 * a point they say they reached.
 */
final class CapturedLog implements AutoCloseable {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private final String name;
    private final List<String> lines = new ArrayList<>();
    private final AbstractAppender appender;

    private CapturedLog(String name) {
        this.name = name;
        this.appender = new AbstractAppender(name, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                add(event.getMessage().getFormattedMessage() + (event.getThrown() == null ? "" : " " + event.getThrown()));
            }
        };
    }

    static CapturedLog start(String name) {
        CapturedLog log = new CapturedLog(name);
        log.appender.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().addAppender(log.appender, Level.ALL, null);
        Configurator.setLevel("dev.lifeguard.steps", Level.DEBUG);
        context.updateLoggers();
        return log;
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized void clear() {
        lines.clear();
    }

    synchronized int count(String fragment) {
        return (int) lines.stream().filter(line -> line.contains(fragment)).count();
    }

    /** Returns once {@code count} lines holding {@code fragment} have been logged; fails the test after a while. */
    synchronized void await(String fragment, int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (count(fragment) < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("waited " + PATIENCE.toSeconds() + " s for " + count + " log lines with '" + fragment + "'; got: " + lines);
            }
            wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
        }
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(name);
        context.updateLoggers();
        appender.stop();
    }
}
