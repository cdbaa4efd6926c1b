import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Run by the build after the shade plugin: {@code java src/build/BareRequests.java target/lifeguard.jar}.
 *
 * <p>The shade filters in pom.xml keep every AWS SDK request class, but for the operations
 * Lifeguard never calls only the class itself, not its builder: the verifier loads each of them
 * when it links a sync client (every operation passes its request to a method taking an
 * SdkRequest), and the endpoint interceptors test a request against each with instanceof. Both
 * need no more than the class's name and superclass. Such a bare request can never be built
 * (its builder is not in the jar), so none of its fields and methods can ever run: this rewrites
 * each one, in place, as a class with the same name, access flags and superclass and nothing
 * else. EC2 alone has some 850 of them, 4 MB of the jar; stubbed, they take 0.3 MB.
 *
 * <p>A request is bare when the jar holds no {@code <Request>$BuilderImpl.class}. ShadedJarIT
 * checks the result: every bare request is a stub whose superclass is in the jar.
 */
public final class BareRequests {
    private static final Pattern REQUEST = Pattern.compile("/software/amazon/awssdk/services/[a-z0-9]+/model/[A-Za-z0-9]+Request\\.class");

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java src/build/BareRequests.java JAR");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        int stubbed = 0;
        long before = Files.size(jar);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            List<Path> requests;
            try (Stream<Path> all = Files.walk(zip.getPath("/software/amazon/awssdk/services"))) {
                requests = all.filter(p -> REQUEST.matcher(p.toString()).matches()).toList();
            }
            for (Path request : requests) {
                String name = request.toString();
                Path builder = zip.getPath(name.substring(0, name.length() - ".class".length()) + "$BuilderImpl.class");
                if (Files.exists(builder)) {
                    continue; // an operation Lifeguard calls: kept whole
                }
                byte[] stub = stub(Files.readAllBytes(request));
                if (stub != null) {
                    Files.write(request, stub);
                    stubbed++;
                }
            }
        }
        System.out.printf("BareRequests: %d bare request classes stubbed, %s: %.1f MB -> %.1f MB%n",
                stubbed, jar.getFileName(), before / 1e6, Files.size(jar) / 1e6);
    }

    /** The same class reduced to its name, access flags and superclass; null if it is one already. */
    static byte[] stub(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file");
        }
        int minor = in.readUnsignedShort();
        int major = in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
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
        int access = in.readUnsignedShort();
        String thisClass = utf8[classNameIndex[in.readUnsignedShort()]];
        String superClass = utf8[classNameIndex[in.readUnsignedShort()]];
        if (count == 5) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0xCAFEBABE);
        out.writeShort(minor);
        out.writeShort(major);
        out.writeShort(5); // four entries: the two names and their classes
        out.writeByte(1);
        out.writeUTF(thisClass);
        out.writeByte(7);
        out.writeShort(1);
        out.writeByte(1);
        out.writeUTF(superClass);
        out.writeByte(7);
        out.writeShort(3);
        out.writeShort(access);
        out.writeShort(2);
        out.writeShort(4);
        out.writeShort(0); // interfaces
        out.writeShort(0); // fields
        out.writeShort(0); // methods
        out.writeShort(0); // attributes
        return bytes.toByteArray();
    }
}
