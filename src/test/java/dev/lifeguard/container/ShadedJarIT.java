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
 * target/lifeguard.jar leaves out most of the EC2, SSM and Auto Scaling SDK modules (see the shade
 * filters in pom.xml). A class left out that something still needs fails only at run time, so
 * this reads the class files' constant pools: every AWS SDK class that a kept class of those
 * modules names must be in the jar. Only the clients and the requests kept for the verifier alone
 * (whose builders are not in the jar) may name left-out operations' classes.
 */
class ShadedJarIT {
    private static final Path JAR = Path.of("target", "lifeguard.jar");
    private static final Pattern PRUNED = Pattern.compile("software/amazon/awssdk/services/(ec2|ssm|autoscaling)/.*\\.class");
    private static final Pattern SDK_CLASS = Pattern.compile("L?(software/amazon/awssdk/[A-Za-z0-9_/$]+)");
    private static final Pattern CLIENT = Pattern.compile("software/amazon/awssdk/services/[a-z0-9]+/(Default)?[A-Za-z0-9]+Client\\.class");
    private static final Pattern REQUEST = Pattern.compile("(software/amazon/awssdk/services/[a-z0-9]+/model/[A-Za-z0-9]+Request)\\.class");

    @Test
    void everySdkClassAKeptClassNamesIsInTheJar() throws IOException {
        assertTrue(Files.isRegularFile(JAR), "build the jar first: mvn package");
        List<String> missing = new ArrayList<>();
        int checked = 0;
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            Set<String> present = new HashSet<>();
            jar.stream().map(ZipEntry::getName).forEach(present::add);
            for (ZipEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                if (!PRUNED.matcher(name).matches() || CLIENT.matcher(name).matches()) {
                    continue;
                }
                Matcher request = REQUEST.matcher(name);
                if (request.matches() && !present.contains(request.group(1) + "$BuilderImpl.class")) {
                    continue; // kept for the verifier alone: never built
                }
                checked++;
                try (InputStream in = jar.getInputStream(entry)) {
                    for (String named : namedClasses(in)) {
                        if (!present.contains(named + ".class")) {
                            missing.add(name + " -> " + named);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 100, "classes checked: " + checked);
        assertEquals(List.of(), missing, "classes named by kept classes but left out of the jar (see the shade filters in pom.xml)");
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
        // 45.8 MB today: the trimmed SDK and Camel, plus Vert.x and Netty (the health and metrics
        // server, about 5 MB), Log4j (about 2.5 MB), and SNS and Secrets Manager whole (about
        // 1.7 MB; notifications and Chef keys). A jar that grows past this bound has taken in
        // something unused again.
        assertTrue(Files.size(JAR) < 47_000_000L, "jar size " + Files.size(JAR));
    }

    /** The SDK classes a class file's constant pool names: class entries and the types in descriptors. */
    private static Set<String> namedClasses(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classEntries = new ArrayList<>();
        List<Integer> descriptorEntries = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classEntries.add(in.readUnsignedShort());
                case 16 -> descriptorEntries.add(in.readUnsignedShort());
                case 12 -> {
                    in.readUnsignedShort();
                    descriptorEntries.add(in.readUnsignedShort());
                }
                case 8, 19, 20 -> in.readUnsignedShort();
                case 3, 4, 9, 10, 11, 17, 18 -> in.readInt();
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
        Set<String> named = new TreeSet<>();
        for (int index : classEntries) {
            Matcher m = SDK_CLASS.matcher(utf8[index]);
            if (m.find()) {
                named.add(m.group(1));
            }
        }
        for (int index : descriptorEntries) {
            Matcher m = Pattern.compile("L(software/amazon/awssdk/[A-Za-z0-9_/$]+);").matcher(utf8[index]);
            while (m.find()) {
                named.add(m.group(1));
            }
        }
        return named;
    }
}
