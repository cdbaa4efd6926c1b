package dev.lifeguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What the service's footprint is made of, for the start-up section of the report: the jar by
 * part (from its entries' compressed sizes), and a running service's memory by JVM area (Native
 * Memory Tracking's committed sizes, the heap in use from jstat, and the kernel's resident set
 * split into anonymous and file-backed memory from /proc/PID/smaps_rollup).
 */
final class Footprint {
    /** The jar's parts, first match wins: path prefixes of the classes and resources each one brings. */
    private static final List<Map.Entry<String, List<String>>> PARTS = List.of(
            Map.entry("Lifeguard's own classes and resources", List.of("dev/lifeguard/", "log4j2", "META-INF/maven/dev.lifeguard/")),
            Map.entry("AWS SDK core (HTTP, auth, protocols, regions, retries)", List.of("software/amazon/awssdk/core/",
                    "software/amazon/awssdk/regions/", "software/amazon/awssdk/protocols/", "software/amazon/awssdk/http/",
                    "software/amazon/awssdk/auth/", "software/amazon/awssdk/awscore/", "software/amazon/awssdk/utils/",
                    "software/amazon/awssdk/thirdparty/", "software/amazon/awssdk/", "software/amazon/eventstream/",
                    "META-INF/maven/software.amazon.awssdk/", "org/reactivestreams/")),
            Map.entry("Apache HTTP client, commons-codec, commons-logging", List.of("org/apache/http/", "org/apache/commons/codec/",
                    "org/apache/commons/logging/", "mozilla/")),
            Map.entry("Netty", List.of("io/netty/", "META-INF/io.netty.", "META-INF/maven/io.netty/")),
            Map.entry("Vert.x", List.of("io/vertx/", "META-INF/vertx/", "META-INF/maven/io.vertx/")),
            Map.entry("Camel: management server on Vert.x (platform-http)", List.of("org/apache/camel/component/platform/http/",
                    "org/apache/camel/component/vertx/", "org/apache/camel/http/base/", "org/apache/camel/attachment/",
                    "META-INF/org/apache/camel/component/platform/", "jakarta/activation/")),
            Map.entry("Camel: YAML DSL", List.of("org/apache/camel/dsl/", "org/apache/camel/yaml/", "schema/camelYamlDsl.json",
                    "org/snakeyaml/engine/")),
            Map.entry("Camel: AWS, exec, micrometer components", List.of("org/apache/camel/component/aws", "org/apache/camel/component/aws2/",
                    "org/apache/camel/component/exec/", "org/apache/camel/component/micrometer/", "org/apache/commons/io/",
                    "org/apache/commons/exec/")),
            Map.entry("Camel: core, main and the other components", List.of("org/apache/camel/", "META-INF/org/apache/camel/",
                    "META-INF/services/org/apache/camel/", "META-INF/maven/org.apache.camel/", "jakarta/xml/bind/")),
            Map.entry("Jackson", List.of("com/fasterxml/jackson/", "META-INF/maven/com.fasterxml.jackson")),
            Map.entry("Log4j and SLF4J", List.of("org/apache/logging/", "META-INF/org/apache/logging/", "org/slf4j/",
                    "META-INF/maven/org.apache.logging.log4j/")),
            Map.entry("Micrometer and Prometheus", List.of("io/micrometer/", "io/prometheus/", "org/HdrHistogram/", "org/LatencyUtils/",
                    "META-INF/maven/io.micrometer/", "META-INF/maven/io.prometheus/")),
            Map.entry("SnakeYAML (profiles)", List.of("org/yaml/snakeyaml/")));
    private static final Pattern SERVICE = Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/.*");

    private Footprint() {
    }

    /**
     * The jar's bytes by part: each entry's compressed size, AWS SDK service modules one by one;
     * what the zip format itself takes (headers and directory, about 200 bytes an entry) is a
     * part of its own, so that the parts add up to the file's size.
     */
    static Map<String, Long> jarParts(Path jar) throws IOException {
        Map<String, Long> parts = new LinkedHashMap<>();
        Map<String, Long> services = new java.util.TreeMap<>();
        long entries = 0;
        long data = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : zip.stream().toList()) {
                entries++;
                long size = Math.max(0, e.getCompressedSize());
                data += size;
                Matcher service = SERVICE.matcher(e.getName());
                if (service.matches()) {
                    services.merge("AWS SDK service model: " + service.group(1), size, Long::sum);
                    continue;
                }
                parts.merge(partOf(e.getName()), size, Long::sum);
            }
        }
        Map<String, Long> ordered = new LinkedHashMap<>();
        services.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(s -> ordered.put(s.getKey(), s.getValue()));
        parts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(p -> ordered.put(p.getKey(), p.getValue()));
        ordered.put("zip headers and directory (" + entries + " entries)", Files.size(jar) - data);
        return ordered;
    }

    private static String partOf(String name) {
        for (Map.Entry<String, List<String>> part : PARTS) {
            for (String prefix : part.getValue()) {
                if (name.startsWith(prefix)) {
                    return part.getKey();
                }
            }
        }
        return "other (manifest, licences, the rest of META-INF)";
    }

    /** A running JVM's memory by area, read from outside while it idles. */
    record Memory(Map<String, Long> committedKb, long nmtTotalKb, long heapUsedKb, long metaspaceUsedKb, Map<String, Long> rollupKb,
            long archiveRssKb, long archiveAnonymousKb) {
    }

    /** Needs the JVM started with -XX:NativeMemoryTracking=summary. */
    static Memory memory(Path javaHome, long pid) throws IOException, InterruptedException {
        String nmt = run(javaHome.resolve("bin/jcmd").toString(), Long.toString(pid), "VM.native_memory", "summary");
        Map<String, Long> committed = new LinkedHashMap<>();
        long total = -1;
        Matcher area = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(nmt);
        while (area.find()) {
            committed.put(area.group(1).trim(), Long.parseLong(area.group(2)));
        }
        Matcher totals = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB").matcher(nmt);
        if (totals.find()) {
            total = Long.parseLong(totals.group(1));
        }
        // jstat -gc: the heap in use (survivors, eden, old) and metaspace in use, in KB.
        String[] gc = run(javaHome.resolve("bin/jstat").toString(), "-gc", Long.toString(pid)).trim().split("\\R");
        List<String> header = List.of(gc[0].trim().split("\\s+"));
        String[] values = gc[gc.length - 1].trim().split("\\s+");
        double heapUsed = 0;
        for (String column : List.of("S0U", "S1U", "EU", "OU")) {
            heapUsed += Double.parseDouble(values[header.indexOf(column)]);
        }
        double metaspaceUsed = Double.parseDouble(values[header.indexOf("MU")]);
        Map<String, Long> rollup = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"), StandardCharsets.US_ASCII)) {
            Matcher m = Pattern.compile("^(\\w+):\\s+(\\d+) kB").matcher(line);
            if (m.find()) {
                rollup.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        // The class archives (the JDK's and Lifeguard's .jsa) as the kernel counts them: mapped
        // from their files, and the pages the JVM writes to (relocated pointers) made private.
        long archiveRss = 0;
        long archiveAnonymous = 0;
        boolean inArchive = false;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps"), StandardCharsets.UTF_8)) {
            if (Pattern.compile("^[0-9a-f]+-[0-9a-f]+ ").matcher(line).find()) {
                inArchive = line.endsWith(".jsa");
                continue;
            }
            Matcher m = Pattern.compile("^(Rss|Anonymous):\\s+(\\d+) kB").matcher(line);
            if (inArchive && m.find()) {
                if (m.group(1).equals("Rss")) {
                    archiveRss += Long.parseLong(m.group(2));
                } else {
                    archiveAnonymous += Long.parseLong(m.group(2));
                }
            }
        }
        return new Memory(committed, total, (long) heapUsed, (long) metaspaceUsed, rollup, archiveRss, archiveAnonymous);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Areas NMT reports, in the order the report lists them, and what each holds. */
    static final List<String[]> AREAS = List.of(
            new String[] {"Java Heap", "the heap: committed, of which the used part is below"},
            new String[] {"Class", "class metadata (metaspace and compressed class space)"},
            new String[] {"Thread", "thread stacks and thread structures"},
            new String[] {"Code", "JIT-compiled code (code cache)"},
            new String[] {"GC", "the collector's own structures (card table, remembered sets)"},
            new String[] {"Compiler", "the JIT compilers' working memory"},
            new String[] {"Internal", "JVM internals"},
            new String[] {"Other", "direct ByteBuffers and other Unsafe allocations (Netty's buffer pools)"},
            new String[] {"Symbol", "the symbol table (class, method and field names)"},
            new String[] {"Shared class space", "the class-data sharing archives, mapped from disk"},
            new String[] {"Native Memory Tracking", "the tracking itself (only in this measurement run)"});

    static List<String[]> rows(Memory m) {
        List<String[]> rows = new ArrayList<>();
        long listed = 0;
        for (String[] area : AREAS) {
            Long kb = m.committedKb().get(area[0]);
            if (kb != null) {
                rows.add(new String[] {area[0], area[1], Long.toString(kb)});
                listed += kb;
            }
        }
        rows.add(new String[] {"everything else NMT counts", "arenas, modules, synchronizers, arguments, logging, …",
                Long.toString(m.nmtTotalKb() - listed)});
        return rows;
    }
}
