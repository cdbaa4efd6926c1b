package dev.lifeguard.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * target/lifeguard.jar leaves out most of every AWS SDK service module (see the shade filters in
 * pom.xml), and src/build/BareRequests.java reduces the requests it keeps only for the verifier to
 * stubs. A class left out that something still needs fails only at run time, so this reads the
 * class files' constant pools: every AWS SDK service class that a class of the jar names must be
 * in the jar. Only the clients and the stubs may name left-out operations' classes; a stub names
 * its superclass alone, which must be there. The artifacts left out whole (camel-core's XML and
 * test components, Jandex) are checked the same way: no class of the jar names theirs.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of("target", "lifeguard.jar");
    /**
     * Packages whose classes the jar keeps only in part: the SDK's service modules, commons-io,
     * commons-codec and Netty's SPDY codec, and the artifacts left out whole.
     */
    private static final Pattern PRUNED = Pattern.compile("software/amazon/awssdk/services/.*|org/jboss/jandex/.*"
            + "|org/apache/commons/(io|codec)/.*|io/netty/handler/codec/spdy/.*"
            + "|org/apache/camel/(xml/(in|out|io)|component/(xslt|mock|dataset|stub|browse|controlbus)|language/xpath|saga|converter/jaxp)/.*");
    /**
     * Classes that name a left-out artifact's classes and load only when asked for what it did:
     * camel-micrometer-prometheus reads its binder index with Jandex for camel.metrics.binders
     * alone, which Lifeguard does not support (config/application.properties).
     */
    private static final Set<String> LOADED_ONLY_FOR_WHAT_IS_LEFT_OUT = Set.of(
            "org/apache/camel/component/micrometer/prometheus/BindersHelper.class",
            "org/apache/camel/component/micrometer/prometheus/internal/BindersDiscoveryMain.class");
    private static final Pattern CLIENT = Pattern.compile("software/amazon/awssdk/services/[a-z0-9]+/(Default)?[A-Za-z0-9]+Client\\.class");
    private static final Pattern REQUEST = Pattern.compile("(software/amazon/awssdk/services/[a-z0-9]+/model/[A-Za-z0-9]+Request)\\.class");

    @Test
    void everyClassAClassOfTheJarNamesIsInTheJar() throws IOException {
        assertTrue(Files.isRegularFile(JAR), "build the jar first: mvn package");
        List<String> missing = new ArrayList<>();
        int checked = 0;
        int stubs = 0;
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            Set<String> present = new HashSet<>();
            jar.stream().map(ZipEntry::getName).forEach(present::add);
            for (ZipEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                if (!name.endsWith(".class") || name.startsWith("META-INF/") || CLIENT.matcher(name).matches()
                        || LOADED_ONLY_FOR_WHAT_IS_LEFT_OUT.contains(name)) {
                    continue; // a client names every operation's classes; only those of the operations called are kept
                }
                ClassFile file;
                try (InputStream in = jar.getInputStream(entry)) {
                    file = ClassFile.read(in);
                }
                Matcher request = REQUEST.matcher(name);
                if (request.matches() && !present.contains(request.group(1) + "$BuilderImpl.class")) {
                    // Kept for the verifier and instanceof alone, never built: a stub, whose superclass must load.
                    assertTrue(file.members() == 0 && file.named().size() <= 2, name + " is kept without its builder but is not a stub");
                    if (PRUNED.matcher(file.superClass()).matches() && !present.contains(file.superClass() + ".class")) {
                        missing.add(name + " -> superclass " + file.superClass());
                    }
                    stubs++;
                    continue;
                }
                checked++;
                for (String named : file.named()) {
                    if (PRUNED.matcher(named).matches() && !present.contains(named + ".class")) {
                        missing.add(name + " -> " + named);
                    }
                }
            }
        }
        assertTrue(checked > 10_000, "classes checked: " + checked);
        assertTrue(stubs > 1_000, "bare requests stubbed (src/build/BareRequests.java ran after the shade plugin): " + stubs);
        assertEquals(List.of(), missing, "classes named by classes of the jar but left out of it (see the shade configuration in pom.xml)");
    }

    /**
     * The SDK loads some service classes by name, which no constant pool names as a class: the
     * default credentials chain loads STS's web identity and profile role factories
     * ({@code "software.amazon.awssdk.services.sts.internal.Sts...Factory"}) when a task role
     * comes as a web identity token or a profile names a role. Every class a string of the jar
     * names in a service module the jar holds must be there; modules the jar leaves out whole
     * (SSO, sign-in) are optional by the SDK's own design.
     */
    @Test
    void everyServiceClassTheSdkLoadsByNameIsInTheJar() throws IOException {
        Pattern byName = Pattern.compile("software\\.amazon\\.awssdk\\.services\\.([a-z0-9]+)\\.[A-Za-z0-9_.$]*[A-Z][A-Za-z0-9_$]*");
        List<String> missing = new ArrayList<>();
        int found = 0;
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            Set<String> present = new HashSet<>();
            jar.stream().map(ZipEntry::getName).forEach(present::add);
            for (ZipEntry entry : jar.stream().toList()) {
                if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
                    continue;
                }
                ClassFile file;
                try (InputStream in = jar.getInputStream(entry)) {
                    file = ClassFile.read(in);
                }
                for (String string : file.strings()) {
                    Matcher m = byName.matcher(string);
                    if (m.matches() && present.contains("software/amazon/awssdk/services/" + m.group(1) + "/")) {
                        found++;
                        if (!present.contains(string.replace('.', '/') + ".class")) {
                            missing.add(entry.getName() + " loads " + string);
                        }
                    }
                }
            }
        }
        assertTrue(found >= 2, "STS's factories, loaded by name: " + found);
        assertEquals(List.of(), missing, "classes the SDK loads by name but the jar leaves out");
    }

    @Test
    void theJarLeavesOutTheSdksAsyncHttpClientAndTheAsyncClients() throws IOException {
        // Netty itself ships: Vert.x serves the health and metrics endpoint on it.
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            List<String> unwanted = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("software/amazon/awssdk/http/nio/")
                            || n.matches("software/amazon/awssdk/services/[a-z0-9]+/Default[A-Za-z0-9]+AsyncClient\\.class"))
                    .toList();
            assertEquals(List.of(), unwanted);
        }
        // 34.9 MB today (BENCHMARKS.md lists it by part): the SDK's service modules cut to the
        // operations called, bare requests stubbed, camel-core's XML and test components left
        // out; Vert.x and Netty (the management server) take 6.7 MB of it. The target is 35 MB:
        // a jar that grows past it has taken in something unused again, or a new call needs room
        // made elsewhere.
        assertTrue(Files.size(JAR) < 35_000_000L, "jar size " + Files.size(JAR));
    }

    /** What a class file names: its superclass, and every class in its constant pool (class entries, descriptors, signatures). */
    private record ClassFile(String superClass, Set<String> named, int members, Set<String> strings) {
        private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([A-Za-z0-9_/$]+)[;<]");

        static ClassFile read(InputStream stream) throws IOException {
            DataInputStream in = new DataInputStream(stream);
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException("not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNames = new int[count];
            List<Integer> classEntries = new ArrayList<>();
            List<Integer> stringEntries = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> {
                        classNames[i] = in.readUnsignedShort();
                        classEntries.add(classNames[i]);
                    }
                    case 8 -> stringEntries.add(in.readUnsignedShort());
                    case 16, 19, 20 -> in.readUnsignedShort();
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                    case 15 -> {
                        in.readUnsignedByte();
                        in.readUnsignedShort();
                    }
                    case 5, 6 -> {
                        in.readLong();
                        i++;
                    }
                    default -> throw new IOException("constant pool tag " + tag);
                }
            }
            Set<String> strings = new TreeSet<>();
            stringEntries.forEach(index -> strings.add(utf8[index]));
            in.readUnsignedShort();
            in.readUnsignedShort();
            int superIndex = in.readUnsignedShort();
            String superClass = superIndex == 0 ? null : utf8[classNames[superIndex]];
            int interfaces = in.readUnsignedShort();
            for (int i = 0; i < interfaces; i++) {
                in.readUnsignedShort();
            }
            int fields = in.readUnsignedShort();
            skipMembers(in, fields);
            int methods = in.readUnsignedShort();
            Set<String> named = new TreeSet<>();
            for (int index : classEntries) {
                String entry = utf8[index];
                named.add(entry.startsWith("[") ? entry.replaceAll("^\\[+L?|;$", "") : entry);
            }
            for (String text : utf8) {
                if (text != null) {
                    Matcher m = IN_DESCRIPTOR.matcher(text);
                    while (m.find()) {
                        named.add(m.group(1));
                    }
                }
            }
            return new ClassFile(superClass, named, fields + methods + interfaces, strings);
        }

        private static void skipMembers(DataInputStream in, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                in.readUnsignedShort();
                in.readUnsignedShort();
                in.readUnsignedShort();
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    in.readUnsignedShort();
                    in.skipNBytes(in.readInt());
                }
            }
        }
    }
}
