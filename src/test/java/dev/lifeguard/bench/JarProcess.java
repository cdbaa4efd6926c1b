package dev.lifeguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The service under test: {@code java -jar} in its own process, output to a log file, sampled
 * while it runs — threads, resident memory and CPU from /proc every 250 ms, heap in use from
 * {@code jstat -gc} every second. The burst and mass scale-in keep its status page open
 * ({@link #openStatusPage}), so their figures are taken with someone watching.
 */
final class JarProcess implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100;

    final Process process;
    final long startedAtMillis;
    final Path log;
    private final Thread sampler;
    private volatile boolean stopping;
    private Process jstat;
    private volatile int peakThreads;
    private volatile long peakRssKb;
    private volatile long peakHeapKb = -1;
    private final List<long[]> cpu = new ArrayList<>(); // {epoch ms, ticks}
    private final String healthPort;
    private StatusPageReader page;

    private JarProcess(List<String> command, Path workDir, Map<String, String> env, Path log) throws IOException {
        this.log = log;
        this.healthPort = env.get("LIFEGUARD_HEALTH_PORT");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        this.startedAtMillis = System.currentTimeMillis();
        this.process = builder.start();
        this.sampler = new Thread(this::sample, "jar-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static JarProcess start(Path java, Path jar, List<String> jvmOptions, Path workDir, Map<String, String> env, Path log)
            throws IOException {
        return start(java, jar, true, jvmOptions, workDir, env, log);
    }

    /** @param optionsFile whether config/jvm.options comes first, as the container and the README run it */
    static JarProcess start(Path java, Path jar, boolean optionsFile, List<String> jvmOptions, Path workDir,
            Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        // As the container runs it: the JVM options kept in config/jvm.options, then the bench's own.
        if (optionsFile && Files.isRegularFile(workDir.resolve("config/jvm.options"))) {
            command.add("@config/jvm.options");
        }
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        return new JarProcess(command, workDir, env, log);
    }

    /** Any main class of the bench's own classpath in a fresh JVM, with the service's JVM options. */
    static JarProcess startMain(Path java, String mainClass, List<String> args, Path workDir, Map<String, String> env, Path log)
            throws IOException {
        return startMain(java, List.of(), mainClass, args, workDir, env, log);
    }

    /** @param jvmOptions after config/jvm.options, as for the service */
    static JarProcess startMain(Path java, List<String> jvmOptions, String mainClass, List<String> args, Path workDir,
            Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        if (Files.isRegularFile(workDir.resolve("config/jvm.options"))) {
            command.add("@config/jvm.options");
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return new JarProcess(command, workDir, env, log);
    }

    /** Reads the status as an open status page would, until the process is closed. */
    StatusPageReader openStatusPage() {
        page = new StatusPageReader(Integer.parseInt(healthPort));
        return page;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    int peakThreads() {
        return peakThreads;
    }

    double peakRssMb() {
        return peakRssKb / 1024.0;
    }

    /** Peak heap in use (survivors, eden and old generation), or -1 if jstat gave nothing. */
    double peakHeapMb() {
        return peakHeapKb < 0 ? -1 : peakHeapKb / 1024.0;
    }

    long rssKbNow() {
        return status("VmRSS:");
    }

    /** CPU seconds (user + system) the process had used at that time, from the samples. */
    synchronized double cpuSecondsAt(long epochMillis) {
        long ticks = 0;
        for (long[] s : cpu) {
            if (s[0] > epochMillis) {
                break;
            }
            ticks = s[1];
        }
        return ticks / (double) TICKS_PER_SECOND;
    }

    double cpuSecondsNow() {
        long t = cpuTicks();
        return t < 0 ? -1 : t / (double) TICKS_PER_SECOND;
    }

    private void sample() {
        Path perfData = Path.of(System.getProperty("java.io.tmpdir"), "hsperfdata_" + System.getProperty("user.name"),
                Long.toString(pid()));
        int jstatStarts = 0;
        while (!stopping && process.isAlive()) {
            long threads = status("Threads:");
            long rss = status("VmRSS:");
            long ticks = cpuTicks();
            if (threads > peakThreads) {
                peakThreads = (int) threads;
            }
            if (rss > peakRssKb) {
                peakRssKb = rss;
            }
            if (ticks >= 0) {
                synchronized (this) {
                    cpu.add(new long[] {System.currentTimeMillis(), ticks});
                }
            }
            if ((jstat == null || !jstat.isAlive()) && jstatStarts < 5 && Files.exists(perfData)) {
                jstatStarts++;
                startJstat();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void startJstat() {
        Path jstatBin = Path.of(System.getProperty("java.home"), "bin", "jstat");
        try {
            jstat = new ProcessBuilder(jstatBin.toString(), "-gc", Long.toString(pid()), "1000")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return;
        }
        Process mine = jstat;
        Thread reader = new Thread(() -> readJstat(mine), "jstat-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readJstat(Process p) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            List<String> header = null;
            String line;
            while ((line = in.readLine()) != null) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length == 0 || cols[0].isEmpty()) {
                    continue;
                }
                if (!Character.isDigit(cols[0].charAt(0)) && cols[0].charAt(0) != '-') {
                    header = Arrays.asList(cols);
                    continue;
                }
                if (header == null) {
                    continue;
                }
                double used = 0;
                for (String name : List.of("S0U", "S1U", "EU", "OU")) {
                    int i = header.indexOf(name);
                    if (i >= 0 && i < cols.length) {
                        used += Double.parseDouble(cols[i]);
                    }
                }
                if (used > peakHeapKb) {
                    peakHeapKb = (long) used;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // jstat went away with the process
        }
    }

    private long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11 and 12 here
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        stopping = true;
        if (page != null) {
            page.close();
        }
        sampler.interrupt();
        if (jstat != null) {
            jstat.destroyForcibly();
        }
        // SIGTERM first, as ECS stops a task; SIGKILL only past its 30 s stopTimeout.
        process.destroy();
        try {
            if (!process.waitFor(35, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
