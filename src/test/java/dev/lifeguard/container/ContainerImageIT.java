package dev.lifeguard.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lifeguard.container.Dockerfile.Instruction;
import dev.lifeguard.container.Dockerfile.Stage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of the image without a Docker engine: the Dockerfile's COPY sources exist
 * and reach the build context, the image copies the jar the build makes, and the image's own
 * commands work here. The runtime stage's /opt/lifeguard is laid out in a temporary directory by
 * following its COPY instructions; the RUN that records the class archive, the ENTRYPOINT (with
 * this machine's java) and the HEALTHCHECK command are then run there as the image runs them.
 */
class ContainerImageIT {
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final String TINI = "/usr/bin/tini";

    private static Dockerfile dockerfile;
    private static Stage build;
    private static Stage runtime;
    private static String workdir;

    @BeforeAll
    static void read() throws IOException {
        dockerfile = Dockerfile.read(REPO.resolve("Dockerfile"));
        build = dockerfile.stage("build");
        runtime = dockerfile.finalStage();
        workdir = runtime.last("WORKDIR").arguments();
    }

    @Test
    void everyCopySourceIsTrackedAndInTheBuildContext() throws Exception {
        List<String> rules = Files.readAllLines(REPO.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        int checked = 0;
        for (Stage stage : dockerfile.stages) {
            for (Instruction copy : stage.all("COPY")) {
                if (copy.flags().containsKey("from")) {
                    continue;
                }
                List<String> operands = copy.operands();
                for (String source : operands.subList(0, operands.size() - 1)) {
                    Process git = new ProcessBuilder("git", "ls-files", "--error-unmatch", source).directory(REPO.toFile())
                            .redirectErrorStream(true).start();
                    String listed = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(0, git.waitFor(), () -> "COPY " + source + " is not in a clean checkout: " + listed);
                    assertTrue(inContext(source, rules), "COPY " + source + " is left out of the build context by .dockerignore");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 5, "COPY sources checked: " + checked);
        assertFalse(inContext("target/lifeguard.jar", rules), ".dockerignore keeps target/ out");
        assertFalse(inContext("src/test/java", rules), ".dockerignore keeps the tests out");
    }

    @Test
    void theBuildStageSkipsTestsAndTheImageCopiesTheJarItMakes() throws Exception {
        List<String> runs = build.all("RUN").stream().map(Instruction::arguments).toList();
        // Lifecycle phases from test-compile on resolve the test scope even when tests are skipped:
        // the build runs the jar's own steps, and none of them asks for test dependencies.
        List<String> mavenRuns = runs.stream().filter(r -> r.startsWith("mvn ")).toList();
        assertTrue(mavenRuns.size() >= 1, runs::toString);
        for (String r : mavenRuns) {
            assertTrue(r.contains("-Dmaven.test.skip=true") && r.contains("shade:shade@default"), r);
            assertFalse(Pattern.compile("\\s(package|verify|install|test|test-compile|dependency:go-offline)(\\s|$)").matcher(r).find(), r);
        }
        assertTrue(build.all("COPY").stream().noneMatch(c -> c.operands().get(0).equals("src")
                || c.operands().get(0).startsWith("src/test")), "the build stage copies no tests");

        String finalName = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(REPO.resolve("pom.xml").toFile())
                .getElementsByTagName("finalName").item(0).getTextContent().strip();
        String built = build.last("WORKDIR").arguments() + "/target/" + finalName + ".jar";
        Instruction copyJar = runtime.all("COPY").stream().filter(c -> "build".equals(c.flags().get("from"))).findFirst().orElseThrow();
        assertEquals(built, copyJar.operands().get(0), "the image copies the jar the build stage makes");
        assertTrue(Files.isRegularFile(REPO.resolve("target/" + finalName + ".jar")), "mvn package made target/" + finalName + ".jar");
    }

    @Test
    void theEntrypointStartsTheServiceWithTheClassArchiveUnderTini(@TempDir Path image) throws Exception {
        Path home = layOut(image);
        List<String> entrypoint = runtime.last("ENTRYPOINT").execForm("");
        assertEquals(List.of(TINI, "--"), entrypoint.subList(0, 2), "tini is PID 1");
        assertTrue(runtime.all("RUN").stream().anyMatch(r -> r.arguments().contains("apt-get install") && r.words().contains("tini")),
                "the image installs tini");
        List<String> java = new ArrayList<>(entrypoint.subList(2, entrypoint.size()));
        assertEquals("java", java.get(0));
        String archiveFlag = java.stream().filter(a -> a.startsWith("-XX:SharedArchiveFile=")).findFirst().orElseThrow();
        Path archive = home.resolve(archiveFlag.substring(archiveFlag.indexOf('=') + 1));
        assertTrue(Files.size(archive) > 1_000_000, "the RUN before made the archive the ENTRYPOINT names: " + archive);

        // The same command line with this machine's java, and a log of where each class came from.
        Path classLog = image.resolve("class-load.log");
        java.set(0, JAVA.toString());
        java.add(1, "-Xlog:class+load=info:file=" + classLog);
        Result started = run(java, home, Map.of(), 120);
        assertEquals(2, started.exit(), () -> "exit 2 for the missing settings, not a JVM error:\n" + started.output());
        assertTrue(started.output().contains("lifeguard:") && started.output().contains("LIFEGUARD_QUEUE"), started.output());
        assertFalse(started.output().contains("Unrecognized") || started.output().contains("Could not create the Java Virtual Machine")
                || started.output().contains("[warning][cds]"), started.output());
        String loads = Files.readString(classLog);
        assertTrue(Pattern.compile("dev\\.lifeguard\\.Lifeguard source: shared objects file \\(top\\)").matcher(loads).find(),
                "Lifeguard's own classes come from the archive");
        assertTrue(Pattern.compile("org\\.apache\\.camel\\.main\\.Main source: shared objects file \\(top\\)").matcher(loads).find(),
                "Camel's come from the archive");
    }

    @Test
    void theHealthcheckIsHealthyOnlyWhenReadinessAnswers200(@TempDir Path image) throws Exception {
        Path home = layOut(image);
        Instruction healthcheck = runtime.last("HEALTHCHECK");
        Map<String, String> flags = healthcheck.flags();
        for (String flag : flags.keySet()) {
            assertTrue(List.of("interval", "timeout", "start-period", "retries").contains(flag), "HEALTHCHECK --" + flag);
            assertTrue(flags.get(flag).matches(flag.equals("retries") ? "[1-9][0-9]*" : "[1-9][0-9]*(ms|s|m)"),
                    "HEALTHCHECK --" + flag + "=" + flags.get(flag));
        }
        List<String> command = healthcheck.execForm("CMD");
        assertTrue(command.get(0).startsWith(workdir + "/"), "the HEALTHCHECK command is the image's own file: " + command);
        command = new ArrayList<>(command);
        command.set(0, home.resolve(Path.of(workdir).relativize(Path.of(command.get(0)))).toString());

        AtomicInteger status = new AtomicInteger(200);
        AtomicReference<String> asked = new AtomicReference<>();
        HttpServer readiness = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        readiness.createContext("/", exchange -> {
            asked.set(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        readiness.start();
        String port = Integer.toString(readiness.getAddress().getPort());
        try {
            Result ready = run(command, home, Map.of("LIFEGUARD_HEALTH_PORT", port), 10);
            assertEquals(0, ready.exit(), ready.output());
            assertEquals("GET /observe/health/ready", asked.get());
            status.set(503);
            assertEquals(1, run(command, home, Map.of("LIFEGUARD_HEALTH_PORT", port), 10).exit(), "503 is unhealthy");
        } finally {
            readiness.stop(0);
        }
        assertEquals(1, run(command, home, Map.of("LIFEGUARD_HEALTH_PORT", port), 10).exit(), "nothing listening is unhealthy");
    }

    // ---------------------------------------------------------------- the image, laid out here

    /**
     * The runtime stage's WORKDIR in {@code image}, filled by its COPY instructions (the build
     * stage's jar is target/'s), then its RUN instructions that run a file the image copied.
     */
    private static Path layOut(Path image) throws Exception {
        Path home = image.resolve(workdir.substring(1));
        Files.createDirectories(home);
        for (Instruction copy : runtime.all("COPY")) {
            List<String> operands = copy.operands();
            String target = operands.get(operands.size() - 1);
            for (String source : operands.subList(0, operands.size() - 1)) {
                Path from = "build".equals(copy.flags().get("from"))
                        ? REPO.resolve("target").resolve(Path.of(build.last("WORKDIR").arguments(), "target").relativize(Path.of(source)))
                        : REPO.resolve(source);
                Path to = home.resolve(target);
                if (target.endsWith("/")) {
                    to = to.resolve(from.getFileName().toString());
                }
                copyTree(from, to);
            }
        }
        for (Instruction run : runtime.all("RUN")) {
            List<String> words = run.words();
            if (Files.isRegularFile(home.resolve(words.get(0)))) {
                List<String> command = new ArrayList<>(words);
                command.set(0, home.resolve(words.get(0)).toString());
                Result result = run(command, home, Map.of(), 300);
                assertEquals(0, result.exit(), () -> "RUN " + run.arguments() + ":\n" + result.output());
            }
        }
        return home;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.createDirectories(t.getParent());
                    // COPY keeps the file's time: the class archive checks the jar's.
                    Files.copy(f, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The subset of .dockerignore this project uses: exact paths, directories, {@code *}, {@code !}; the last match wins. */
    private static boolean inContext(String path, List<String> rules) {
        boolean in = true;
        for (String rule : rules) {
            boolean include = rule.startsWith("!");
            String pattern = (include ? rule.substring(1) : rule).replaceAll("/+$", "");
            if (pattern.equals("*") || path.equals(pattern) || path.startsWith(pattern + "/")) {
                in = include;
            }
        }
        return in;
    }

    private record Result(int exit, String output) {}

    private static Result run(List<String> command, Path directory, Map<String, String> env, int timeoutSeconds) throws Exception {
        Path out = Files.createTempFile(directory.getParent(), "out", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        builder.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME") && !k.equals("JAVA_HOME"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        Process p = builder.start();
        boolean ended = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor();
        }
        String output = Files.readString(out);
        assertTrue(ended, () -> command + " did not end within " + timeoutSeconds + " s:\n" + output);
        assertNotNull(output);
        return new Result(p.exitValue(), output);
    }
}
