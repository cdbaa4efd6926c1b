package dev.lifeguard.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a process's Java CPU went, by layer, from a flight recording's execution samples: each
 * sample is put on the first frame, from the top of its stack, that belongs to a library or to
 * Lifeguard (a HashMap lookup made by Camel is Camel's); samples in the JDK alone are the JDK's.
 * Only samples from {@code from} on count, so start-up is left out as it is from the CPU figure.
 * GC and JIT compiler threads run no Java code and are not sampled.
 */
final class Layers {
    /** Package prefixes, most specific first, and the layer each belongs to. */
    private static final List<String[]> PREFIXES = List.of(
            new String[] {"dev.lifeguard.bench.", "bench client (ceiling)"},
            new String[] {"dev.lifeguard.", "Lifeguard"},
            new String[] {"org.apache.camel.", "Camel"},
            new String[] {"software.amazon.awssdk.http.auth", "AWS SDK: signing"},
            new String[] {"software.amazon.awssdk.protocols", "AWS SDK: marshalling and parsing"},
            new String[] {"software.amazon.awssdk.http.apache", "HTTP client (Apache)"},
            new String[] {"org.apache.http.", "HTTP client (Apache)"},
            new String[] {"software.amazon.awssdk.", "AWS SDK: core, retries, interceptors"},
            new String[] {"com.fasterxml.jackson.", "Jackson"},
            new String[] {"org.apache.logging.", "logging"},
            new String[] {"org.slf4j.", "logging"},
            new String[] {"io.micrometer.", "metrics"},
            new String[] {"io.netty.", "Netty/Vert.x"},
            new String[] {"io.vertx.", "Netty/Vert.x"},
            new String[] {"com.sun.org.apache.xerces.", "XML parsing (JDK)"},
            new String[] {"javax.xml.", "XML parsing (JDK)"},
            new String[] {"sun.security.", "crypto and TLS (JDK)"},
            new String[] {"javax.crypto.", "crypto and TLS (JDK)"});

    private Layers() {
    }

    /** Sample counts by layer, in the order of {@link #PREFIXES}, then the JDK's. */
    static Map<String, Integer> of(Path recording, Instant from) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        PREFIXES.forEach(p -> counts.putIfAbsent(p[1], 0));
        counts.put("JDK", 0);
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStartTime().isBefore(from)
                    || event.getStackTrace() == null) {
                continue;
            }
            counts.merge(layer(event.getStackTrace().getFrames()), 1, Integer::sum);
        }
        return counts;
    }

    private static String layer(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (String[] prefix : PREFIXES) {
                if (type.startsWith(prefix[0])) {
                    return prefix[1];
                }
            }
        }
        return "JDK";
    }
}
