package dev.lifeguard.log;

import java.io.InputStream;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.util.SortedArrayStringMap;
import org.w3c.dom.Document;

/** Lines as the text log format writes them, with the pattern read from the shipped log4j2.xml. */
final class TextLogs {
    private static final PatternLayout LAYOUT = PatternLayout.newBuilder().withPattern(pattern()).build();

    private TextLogs() {
    }

    /** One logged message, {@code {}} replaced by the arguments as SLF4J does. */
    static String line(String message, Object... arguments) {
        return line(Map.of(), message, arguments);
    }

    /** The same, with {@code context} in the event's context (the MDC) as {@link EventContext} puts it there. */
    static String line(Map<String, String> context, String message, Object... arguments) {
        return format(context, null, message, arguments);
    }

    /** A message logged with an exception, whose stack trace follows it. */
    static String withException(Throwable thrown, String message, Object... arguments) {
        return format(Map.of(), thrown, message, arguments);
    }

    private static String format(Map<String, String> context, Throwable thrown, String message, Object... arguments) {
        SortedArrayStringMap data = new SortedArrayStringMap();
        context.forEach(data::putValue);
        LogEvent event = Log4jLogEvent.newBuilder().setLoggerName("dev.lifeguard.engine.Heartbeats").setLevel(Level.WARN)
                .setThreadName("lifeguard-work-1").setContextData(data).setThrown(thrown)
                .setMessage(new ParameterizedMessage(message, arguments)).build();
        return LAYOUT.toSerializable(event);
    }

    /** The PatternLayout of the text format: the one not chosen by the json arbiter. */
    private static String pattern() {
        try (InputStream xml = TextLogs.class.getResourceAsStream("/log4j2.xml")) {
            Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml);
            return XPathFactory.newInstance().newXPath().evaluate("//DefaultArbiter/Console/PatternLayout/@pattern", document);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the text pattern of log4j2.xml", e);
        }
    }
}
