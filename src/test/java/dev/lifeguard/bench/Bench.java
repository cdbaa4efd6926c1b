package dev.lifeguard.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.local.LocalDynamoDbServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Benchmarks of the packaged service ({@code target/lifeguard.jar}, or BENCH_JAR), run as a child
 * process against stand-ins on 127.0.0.1 and configured only by environment variables.
 *
 * <pre>
 *   Bench quick|full
 * </pre>
 * Scenarios: mass scale-in (many terminating hooks, each with an SSM command), burst (hooks with
 * no steps, with duplicates, against a minimal SDK client as the ceiling), start-up. Full mode
 * rewrites BENCHMARKS.md; quick mode writes target/bench/BENCHMARKS-quick.md. Exits 1 when a
 * scenario breaks (a hook not completed or completed twice, the service dying, a stand-in
 * failing), never because a figure misses its target.
 */
public final class Bench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "bench";
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, KEY));
    private static final String RECEIVE = "ReceiveMessage";

    private final boolean full;
    private final Path repo = Path.of("").toAbsolutePath();
    private final Path out = repo.resolve("target/bench");
    private final Path jar;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final List<String> breakages = new ArrayList<>();
    /** The status pages kept open during the service's runs, per scenario title. */
    private final Map<String, List<StatusPageReader>> pages = new LinkedHashMap<>();
    private final StringBuilder report = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>();
    private final Map<String, String> invokedEnv = System.getenv();
    /** Settings of the scenario being run, passed to the service on top of the invocation's. */
    private final Map<String, String> extraEnv = new LinkedHashMap<>();

    private SQSRestServer elasticMq;
    private LocalDynamoDbServer dynamo;
    private FleetStandIn fleet;
    private CountingProxy sqsProxy;
    private CountingProxy dynamoProxy;
    private SqsClient sqs;
    private DynamoDbClient dynamoDirect;
    private int run;

    private Bench(boolean full) {
        this.full = full;
        this.jar = repo.resolve(invokedEnv.getOrDefault("BENCH_JAR", "target/lifeguard.jar"));
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "quick";
        if (!mode.equals("quick") && !mode.equals("full")) {
            System.err.println("usage: Bench quick|full");
            System.exit(2);
        }
        Bench bench = new Bench(mode.equals("full"));
        int status;
        try {
            status = bench.runAll();
        } finally {
            bench.stopStandIns();
        }
        System.exit(status);
    }

    private int runAll() throws Exception {
        if (!Files.isRegularFile(jar)) {
            System.err.println("no jar at " + jar + ": build it first (mvn -B package -DskipTests)");
            return 2;
        }
        Files.createDirectories(out);
        long started = System.currentTimeMillis();
        startStandIns();
        // BENCH_ONLY=burst (or mass, startup; comma-separated) runs some scenarios, for a closer look.
        String only = invokedEnv.getOrDefault("BENCH_ONLY", "mass,burst,startup");
        if (only.contains("mass")) {
            // SSM's status events reach the queue, as the deploy template wires them; the 5,000-hook
            // runs are the issue's scale, the second with a tenth of the events lost on the way.
            massScaleIn(new Mass("Mass scale-in", intEnv("BENCH_MASS_HOOKS", full ? 1000 : 100), 0));
            if (full && !invokedEnv.containsKey("BENCH_MASS_HOOKS")) {
                massScaleIn(new Mass("Mass scale-in, 5,000 hooks", 5000, 0));
                massScaleIn(new Mass("Mass scale-in, 5,000 hooks, a tenth of the status events lost", 5000, 0.1));
            }
        }
        if (only.contains("burst")) {
            burst();
        }
        if (only.contains("startup")) {
            startUp();
        }
        long took = System.currentTimeMillis() - started;
        Path file = full ? repo.resolve("BENCHMARKS.md") : out.resolve("BENCHMARKS-quick.md");
        Files.writeString(file, document(took), StandardCharsets.UTF_8);
        say("wrote %s (bench time %.1f s)", repo.relativize(file), took / 1000.0);
        if (!breakages.isEmpty()) {
            System.err.println("BROKEN:");
            breakages.forEach(b -> System.err.println("  " + b));
            return 1;
        }
        say("no breakage");
        return 0;
    }

    // ---------------------------------------------------------------- stand-ins

    private void startStandIns() throws IOException {
        elasticMq = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion("us-east-1").start();
        int sqsPort = elasticMq.waitUntilStarted().localAddress().getPort();
        URI sqsUri = URI.create("http://127.0.0.1:" + sqsPort);
        dynamo = LocalDynamoDbServer.start();
        fleet = FleetStandIn.start(8);
        sqsProxy = new CountingProxy("sqs", sqsUri);
        dynamoProxy = new CountingProxy("dynamodb", dynamo.endpoint());
        sqs = SqsClient.builder().endpointOverride(sqsUri).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
        dynamoDirect = DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS).build();
        say("stand-ins: SQS %s (counted via %s), DynamoDB %s (counted via %s), Auto Scaling/SSM/EC2 %s",
                sqsUri, sqsProxy.endpoint(), dynamo.endpoint(), dynamoProxy.endpoint(), fleet.endpoint());
    }

    private void stopStandIns() {
        for (AutoCloseable c : new AutoCloseable[] {sqs, dynamoDirect, sqsProxy, dynamoProxy, fleet, dynamo}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // stopping anyway
            }
        }
        if (elasticMq != null) {
            elasticMq.stopAndWait();
        }
    }

    private void resetCounters() {
        fleet.reset();
        sqsProxy.reset();
        dynamoProxy.reset();
    }

    private String newQueue(String name) {
        return sqs.createQueue(r -> r.queueName(name).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "60"))).queueUrl();
    }

    private long queueDepth(String url) {
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private void checkStandIns(String scenario) {
        if (fleet.errors() > 0) {
            broken(scenario + ": the fleet stand-in failed " + fleet.errors() + " request(s), last: " + fleet.lastError());
        }
        for (CountingProxy p : List.of(sqsProxy, dynamoProxy)) {
            if (p.failures() > 0) {
                broken(scenario + ": " + p.failures() + " call(s) could not be forwarded, last: " + p.lastFailure());
            }
        }
    }

    // ---------------------------------------------------------------- the service

    /** Starts the jar with a fresh queue, dead-letter queue and table. */
    private JarProcess startJar(String scenario, String queue, String profiles) throws IOException {
        return startJar(scenario, queue, profiles, List.of());
    }

    private JarProcess startJar(String scenario, String queue, String profiles, List<String> scenarioJvm) throws IOException {
        return startJar(scenario, queue, profiles, true, scenarioJvm);
    }

    private JarProcess startJar(String scenario, String queue, String profiles, boolean optionsFile, List<String> scenarioJvm)
            throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        invokedEnv.forEach((k, v) -> {
            if (!k.startsWith("AWS_") && !k.startsWith("LIFEGUARD_") && !k.startsWith("BENCH_")) {
                env.put(k, v);
            }
        });
        // Settings an invocation may change to try the engine's knobs …
        env.put("LIFEGUARD_HOOK_HEARTBEAT_SECONDS", "10");
        env.put("LIFEGUARD_POLL_WAIT_SECONDS", "1");
        invokedEnv.forEach((k, v) -> {
            if (k.startsWith("LIFEGUARD_")) {
                env.put(k, v);
            }
        });
        env.putAll(extraEnv);
        // … and the wiring to the stand-ins, which it may not.
        env.put("LIFEGUARD_QUEUE", queue);
        env.put("LIFEGUARD_DEAD_LETTER_QUEUE", queue + "-dlq");
        env.put("LIFEGUARD_TABLE", queue);
        env.put("LIFEGUARD_TABLE_CREATE", "true");
        env.put("LIFEGUARD_PROFILES", profiles);
        // Health and metrics served as in production, on a port of their own.
        env.put("LIFEGUARD_HEALTH_PORT", Integer.toString(dev.lifeguard.local.MotoServer.freePort()));
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", KEY);
        env.put("AWS_SECRET_ACCESS_KEY", KEY);
        env.put("AWS_ENDPOINT_URL_SQS", sqsProxy.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoProxy.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_AUTO_SCALING", fleet.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SSM", fleet.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_EC2", fleet.endpoint().toString());
        if (twoAccounts()) {
            // The hub settings: a member account served through its assumed role (STS answered by the stand-in).
            env.put("LIFEGUARD_ACCOUNTS", MEMBER);
            env.put("LIFEGUARD_ACCOUNTS_EXTERNAL_ID", "bench-external-id");
            env.put("AWS_ENDPOINT_URL_STS", fleet.endpoint().toString());
        }
        List<String> jvm = new ArrayList<>(scenarioJvm);
        String opts = invokedEnv.getOrDefault("BENCH_JAVA_OPTS", "").trim();
        if (!opts.isEmpty()) {
            jvm.addAll(List.of(opts.split("\\s+")));
        }
        Path log = out.resolve(queue + ".log");
        return JarProcess.start(java, jar, optionsFile, jvm, repo, env, log);
    }

    /** Waits for the jar's first ReceiveMessage; null if it died or never polled. */
    private Long awaitFirstReceive(JarProcess p, String scenario, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            Long first = sqsProxy.firstSeen(RECEIVE);
            if (first != null) {
                return first;
            }
            if (!p.alive()) {
                broken(scenario + ": the service exited with status " + p.process.exitValue() + " before polling; log: "
                        + repo.relativize(p.log));
                return null;
            }
            Thread.sleep(20);
        }
        broken(scenario + ": the service did not poll the queue within " + timeoutMs / 1000 + " s; log: " + repo.relativize(p.log));
        return null;
    }

    // ---------------------------------------------------------------- messages

    private record Hook(String token, String instanceId, String body) {}

    /**
     * The member account of the hub settings (BENCH_ACCOUNTS=2, the default): every other hook comes
     * from it, so that half the calls go through an assumed role's clients.
     */
    static final String MEMBER = "222222222222";

    private boolean twoAccounts() {
        return intEnv("BENCH_ACCOUNTS", 2) == 2;
    }

    /** The account of the i-th hook: the service's own, or with the hub settings on every other one a member's. */
    private String account(int i) {
        return twoAccounts() && i % 2 == 1 ? MEMBER : FleetStandIn.ACCOUNT;
    }

    /** With the hub settings on, the member's hooks went through its role: assumed, once per service run. */
    private void assumedOnceIfTwoAccounts(String scenario) {
        long assumed = fleet.calls("AssumeRole");
        if (twoAccounts() && assumed == 0) {
            broken(scenario + ": the hub settings are on, but no role was assumed for the member account's hooks");
        }
    }

    private static Hook hook(String group, String account) {
        String token = UUID.randomUUID().toString();
        StringBuilder id = new StringBuilder("i-");
        for (int i = 0; i < 17; i++) {
            id.append(Character.forDigit(ThreadLocalRandom.current().nextInt(16), 16));
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("Origin", "AutoScalingGroup");
        n.put("LifecycleHookName", "bench-drain");
        n.put("Destination", "EC2");
        n.put("AccountId", account);
        n.put("RequestId", UUID.randomUUID().toString());
        n.put("LifecycleTransition", "autoscaling:EC2_INSTANCE_TERMINATING");
        n.put("AutoScalingGroupName", group);
        n.put("Service", "AWS Auto Scaling");
        n.put("Time", Instant.now().toString());
        n.put("EC2InstanceId", id.toString());
        n.put("LifecycleActionToken", token);
        return new Hook(token, id.toString(), n.toString());
    }

    /** Sends the bodies in batches of 10 from 4 threads; returns, per token, when its last copy was accepted. */
    private Map<String, Long> send(String queueUrl, List<Hook> messages) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < messages.size(); from += 10) {
                List<Hook> batch = messages.subList(from, Math.min(from + 10, messages.size()));
                futures.add(senders.submit(() -> {
                    List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = 0; i < batch.size(); i++) {
                        // Auto Scaling knows the action it sends a hook for; the service confirms it there.
                        fleet.actions().sent(batch.get(i).body());
                        entries.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(batch.get(i).body()).build());
                    }
                    SendMessageBatchResponse response = sqs.sendMessageBatch(r -> r.queueUrl(queueUrl).entries(entries));
                    if (!response.failed().isEmpty()) {
                        throw new IllegalStateException("SendMessageBatch refused: " + response.failed());
                    }
                    long now = System.currentTimeMillis();
                    batch.forEach(h -> sentAt.merge(h.token(), now, Math::max));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            senders.shutdown();
        }
        return sentAt;
    }

    // ---------------------------------------------------------------- mass scale-in

    /** One mass scale-in: how many hooks, and the share of SSM status events lost on the way. */
    private record Mass(String title, int hooks, double lose) {
    }

    /**
     * How often, on average, the service looks at a command whose status event may be lost
     * (LIFEGUARD_SSM_LOOK_SECONDS; 300 by default, shorter here as the heartbeats are): each look
     * comes between half and one and a half times this after the last.
     */
    private static final int LOOK_SECONDS = 120;
    /** The latest a hook whose event was lost may end, after its command was sent. */
    private static final int LOST_ENDS_WITHIN = LOOK_SECONDS * 3 / 2 + 30;

    private void massScaleIn(Mass mass) throws Exception {
        int n = mass.hooks();
        int commandSeconds = full ? 30 : 5;
        // Lost events end at the fallback look, up to LOOK_SECONDS after their command was sent.
        int capSeconds = intEnv("BENCH_MASS_CAP_SECONDS", !full ? 25 : mass.lose() > 0 ? LOST_ENDS_WITHIN + 120 : 300);
        String scenario = mass.title().toLowerCase(Locale.ROOT);
        say("%s: %d terminating hooks, SSM command of %d s each, %.0f%% of status events lost, cap %d s", scenario, n,
                commandSeconds, mass.lose() * 100, capSeconds);
        resetCounters();
        fleet.commandDuration(Duration.ofSeconds(commandSeconds)).rejectRepeatedCompletions(false).throttleHeartbeats(0);
        String queue = "bench-mass-" + (++run);
        String queueUrl = newQueue(queue);
        newQueue(queue + "-dlq");
        fleet.publishStatusEvents(body -> sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body)), mass.lose());
        extraEnv.put("LIFEGUARD_SSM_STATUS_EVENTS", "true");
        extraEnv.put("LIFEGUARD_SSM_LOOK_SECONDS", Integer.toString(LOOK_SECONDS));
        List<Hook> hooks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hooks.add(hook("bench-fleet", account(i)));
        }
        Row row = new Row();
        // The heap target is enforced, not just watched: the service gets 256 MB and no more, and
        // must still meet the other targets (an OutOfMemoryError would kill it: breakage).
        try (JarProcess p = startJar(scenario, queue, "bench/profiles.yaml", List.of("-Xmx256m"))) {
            openPage(mass.title(), p);
            Long firstReceive = awaitFirstReceive(p, scenario, 90_000);
            if (firstReceive == null) {
                report.append("\n## Mass scale-in\n\nBroken: the service never polled.\n");
                return;
            }
            Map<String, Long> sentAt = send(queueUrl, hooks);
            long lastArrival = Collections.max(sentAt.values());
            long cap = lastArrival + capSeconds * 1000L;
            boolean died = false;
            while (System.currentTimeMillis() < cap) {
                if (!p.alive()) {
                    died = true;
                    break;
                }
                if (fleet.completedTokens() >= n && hooks.stream().allMatch(h -> !fleet.completions(h.token()).isEmpty())) {
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(full ? 3000 : 500); // a second completion right after the first is still seen
            long end = Math.min(System.currentTimeMillis(), cap);
            if (died || !p.alive()) {
                broken(scenario + ": the service died (exit " + p.process.exitValue() + "); log: " + repo.relativize(p.log));
            }
            int completed = 0;
            int doubles = 0;
            int notContinue = 0;
            long lastCompletion = 0;
            long maxGap = 0;
            int gapsOver15 = 0;
            int gapsOver30 = 0;
            int commandsMax = 0;
            int sentTwice = 0;
            int lostEnded = 0;
            long lostLongest = 0;
            java.util.Set<String> lost = fleet.statusEventsLost();
            List<Double> gaps = new ArrayList<>();
            for (Hook h : hooks) {
                List<FleetStandIn.Completion> c = fleet.completions(h.token());
                Long first = c.isEmpty() ? null : c.get(0).atMillis();
                if (first != null) {
                    completed++;
                    lastCompletion = Math.max(lastCompletion, first);
                    if (!"CONTINUE".equals(c.get(0).result())) {
                        notContinue++;
                    }
                }
                if (c.size() > 1) {
                    doubles++;
                }
                List<Long> times = new ArrayList<>();
                times.add(sentAt.get(h.token()));
                times.addAll(fleet.heartbeats(h.token()));
                times.add(first != null ? first : end);
                Collections.sort(times);
                long gap = 0;
                for (int i = 1; i < times.size(); i++) {
                    gap = Math.max(gap, times.get(i) - times.get(i - 1));
                }
                maxGap = Math.max(maxGap, gap);
                gaps.add(gap / 1000.0);
                if (gap > 15_000) {
                    gapsOver15++;
                }
                if (gap > 30_000) {
                    gapsOver30++;
                }
                List<FleetStandIn.Command> cmds = fleet.commandsFor(h.instanceId());
                commandsMax = Math.max(commandsMax, cmds.size());
                if (cmds.size() > 1) {
                    sentTwice++;
                }
                if (!cmds.isEmpty() && lost.contains(cmds.get(0).commandId()) && first != null) {
                    lostEnded++;
                    lostLongest = Math.max(lostLongest, first - cmds.get(0).sentAtMillis());
                }
            }
            long calls = fleet.totalCalls() + sqsProxy.total() + dynamoProxy.total();
            boolean all = completed == n;
            double elapsed = ((all ? lastCompletion : end) - lastArrival) / 1000.0;
            row.put("hooks", Integer.toString(n));
            row.put("status events lost on the way", lost.size() + " (" + fmt(mass.lose() * 100) + "%)");
            row.put("completed", completed + " / " + n);
            row.put("completed twice", Integer.toString(doubles));
            row.put("last arrival → last completion", all ? fmt(elapsed) + " s"
                    : "capped at " + capSeconds + " s; " + (completed == 0 ? "no completion to project from"
                    : "projected " + fmt(elapsed * n / completed) + " s for all " + n));
            if (!lost.isEmpty()) {
                row.put("hooks whose event was lost: longest command sent → completion", fmt(lostLongest / 1000.0)
                        + " s (" + lostEnded + " of " + lost.size() + " completed; fallback looks 60 to 180 s apart)");
            }
            row.put("max heartbeat gap from send", fmt(maxGap / 1000.0) + " s (median " + fmtMedian(gaps, false) + " s; "
                    + gapsOver15 + " hooks over 15 s, " + gapsOver30 + " over 30 s)");
            row.put("peak threads", Integer.toString(p.peakThreads()));
            row.put("peak heap used", p.peakHeapMb() < 0 ? "n/a" : fmt(p.peakHeapMb()) + " MB");
            row.put("peak RSS", fmt(p.peakRssMb()) + " MB");
            row.put("SSM commands per hook (max)", Integer.toString(commandsMax));
            row.put("SSM calls per hook", "SendCommand " + fmt2(fleet.calls("SendCommand") / (double) n)
                    + ", GetCommandInvocation " + fmt2(fleet.calls("GetCommandInvocation") / (double) n));
            row.put("API calls per hook", fmt(calls / (double) n));
            // Look-ups batched across events: the confirmation's, and EC2's for the steps' addresses.
            row.put("DescribeAutoScalingInstances calls", fleet.calls("DescribeAutoScalingInstances")
                    + " (" + fmt2(fleet.calls("DescribeAutoScalingInstances") / (double) n) + " per hook)");
            row.put("DescribeInstances calls", fleet.calls("DescribeInstances")
                    + " (" + fmt2(fleet.calls("DescribeInstances") / (double) n) + " per hook)");
            row.put("heartbeats per hook", fmt(fleet.calls("RecordLifecycleActionHeartbeat") / (double) n));
            row.put("AssumeRole calls", Long.toString(fleet.calls("AssumeRole")));
            say("%s: %s", scenario, row);
            assumedOnceIfTwoAccounts(scenario);

            if (doubles > 0) {
                broken(scenario + ": " + doubles + " hook(s) completed more than once");
            }
            if (notContinue > 0) {
                say("%s: %d hook(s) completed with a result other than CONTINUE", scenario, notContinue);
            }
            if (!full && !all) {
                broken(scenario + ": " + (n - completed) + " of " + n + " hooks not completed within " + capSeconds + " s");
            } else if (completed == 0) {
                broken(scenario + ": no hook completed within " + capSeconds + " s");
            }
            checkStandIns(scenario);

            report.append("\n## ").append(mass.title()).append("\n\n").append(pageNote(mass.title()))
                    .append(n).append(" terminating lifecycle-hook messages for group `bench-fleet`, sent in batches of 10 ")
                    .append("right after the service's first ReceiveMessage. Each runs one `ssm-command` step ")
                    .append("(`bench/profiles.yaml`; its parameters use the instance's private address, so EC2 is asked); ")
                    .append("the SSM stand-in reports the command `InProgress` for ")
                    .append(commandSeconds).append(" s, then `Success`, and publishes SSM's status event to the queue as ")
                    .append("the deploy template's EventBridge rule does")
                    .append(mass.lose() > 0 ? ", dropping " + fmt(mass.lose() * 100) + "% of them at random" : "")
                    .append(" (`LIFEGUARD_SSM_STATUS_EVENTS=true`, `LIFEGUARD_SSM_LOOK_SECONDS=").append(LOOK_SECONDS)
                    .append("`: a fallback look every 60 to 180 s). ")
                    .append("Heartbeats every 10 s (`LIFEGUARD_HOOK_HEARTBEAT_SECONDS`). Stopped when every hook is completed, or ")
                    .append(capSeconds).append(" s after the last message arrived. The service runs with `-Xmx256m`: ")
                    .append("the heap target is a limit it must work within, and the peak below is what the JVM had in use, ")
                    .append("garbage included.\n\n")
                    .append("The heartbeat gap of a hook is the longest stretch, from its message's send time to its ")
                    .append("completion (or the end of the run), without a heartbeat.\n\n")
                    .append(row.table())
                    .append("\nSSM commands sent for one instance more than once: ").append(sentTwice)
                    .append(". Hooks completed with another result than CONTINUE: ").append(notContinue).append(".\n");
            boolean exactlyOnce = all && doubles == 0;
            String name = mass.title();
            target(name + ": every hook completed exactly once", n + " hooks",
                    completed + " / " + n + ", " + doubles + " twice", exactlyOnce);
            long withinSeconds = n <= 1000 ? 60 : 90;
            long gapLimit = n <= 1000 ? 15_000 : 30_000;
            if (mass.lose() == 0) {
                target(name + ": last completion after the last message's arrival", "≤ " + withinSeconds + " s",
                        all ? fmt(elapsed) + " s" : "not all completed (capped at " + capSeconds + " s)", all && elapsed <= withinSeconds);
            } else {
                target(name + ": hooks whose event was lost end at the fallback look", "≤ " + LOST_ENDS_WITHIN + " s after their command",
                        fmt(lostLongest / 1000.0) + " s, " + lostEnded + " of " + lost.size(),
                        lostEnded == lost.size() && lostLongest <= LOST_ENDS_WITHIN * 1000L);
            }
            target(name + ": max heartbeat gap from send", "≤ " + gapLimit / 1000 + " s", fmt(maxGap / 1000.0) + " s", maxGap <= gapLimit);
            target(name + ": JVM threads", "≤ 100", Integer.toString(p.peakThreads()), p.peakThreads() <= 100);
            target(name + ": heap used", "≤ 256 MB", fmt(p.peakHeapMb()) + " MB",
                    p.peakHeapMb() >= 0 && p.peakHeapMb() <= 256);
            target(name + ": DescribeInstances and DescribeAutoScalingInstances per hook", "≤ 0.05 each",
                    fmt2(fleet.calls("DescribeInstances") / (double) n) + ", " + fmt2(fleet.calls("DescribeAutoScalingInstances") / (double) n),
                    fleet.calls("DescribeInstances") <= 0.05 * n && fleet.calls("DescribeAutoScalingInstances") <= 0.05 * n);
            target(name + ": SSM calls per hook", "1 SendCommand, at most 1 look",
                    fmt2(fleet.calls("SendCommand") / (double) n) + " + " + fmt2(fleet.calls("GetCommandInvocation") / (double) n),
                    fleet.calls("SendCommand") == n && fleet.calls("GetCommandInvocation") <= n);
        } finally {
            extraEnv.clear();
            fleet.publishStatusEvents(null, 0);
        }
    }

    // ---------------------------------------------------------------- burst

    private record BurstResult(double seconds, double perSecond, double cpuPerEvent, double callsPerEvent,
                               int completed, int doubles, int distinct, double warmPerSecond, Instant firstReceive) {}

    private void burst() throws Exception {
        int messages = intEnv("BENCH_BURST_HOOKS", full ? 2000 : 200);
        int pairs = intEnv("BENCH_BURST_PAIRS", full ? 5 : 1);
        int capSeconds = full ? 180 : 20;
        int distinct = messages - messages / 5;
        say("burst: %d messages (%d distinct hooks, %d duplicates), no steps, %d pair(s)", messages, distinct, messages - distinct, pairs);
        List<BurstResult[]> results = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> wholeRatios = new ArrayList<>();
        if (full) {
            // The stand-ins run in this JVM and get faster as it compiles them: warm them first, so
            // the first pair is not measured against colder stand-ins than the last.
            burstRun("burst (stand-ins warm-up)", messages, capSeconds, false);
        }
        for (int pair = 1; pair <= pairs; pair++) {
            BurstResult service = burstRun("burst (service) " + pair, messages, capSeconds, false);
            BurstResult ceiling = burstRun("burst (ceiling) " + pair, messages, capSeconds, true);
            results.add(new BurstResult[] {service, ceiling});
            if (service != null && ceiling != null && ceiling.warmPerSecond() > 0) {
                ratios.add(service.warmPerSecond() / ceiling.warmPerSecond());
                wholeRatios.add(service.perSecond() / ceiling.perSecond());
            }
        }
        StringBuilder t = new StringBuilder("| pair | service msg/s (warm) | ceiling msg/s (warm) | ratio (warm) | ratio (whole run) | service CPU ms/event | ceiling CPU ms/event | service calls/event | ceiling calls/event |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        List<Double> sRate = new ArrayList<>(), cRate = new ArrayList<>(), sCpu = new ArrayList<>(), cCpu = new ArrayList<>(),
                sCalls = new ArrayList<>(), cCalls = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            BurstResult s = results.get(i)[0];
            BurstResult c = results.get(i)[1];
            t.append("| ").append(i + 1).append(" | ").append(s == null ? "broken" : fmt(s.perSecond()) + " (" + fmt(s.warmPerSecond()) + ")")
                    .append(" | ").append(c == null ? "broken" : fmt(c.perSecond()) + " (" + fmt(c.warmPerSecond()) + ")")
                    .append(" | ").append(s == null || c == null ? "–" : fmt2(s.warmPerSecond() / c.warmPerSecond()))
                    .append(" | ").append(s == null || c == null ? "–" : fmt2(s.perSecond() / c.perSecond()))
                    .append(" | ").append(s == null ? "–" : fmt2(s.cpuPerEvent() * 1000))
                    .append(" | ").append(c == null ? "–" : fmt2(c.cpuPerEvent() * 1000))
                    .append(" | ").append(s == null ? "–" : fmt2(s.callsPerEvent()))
                    .append(" | ").append(c == null ? "–" : fmt2(c.callsPerEvent())).append(" |\n");
            if (s != null) {
                sRate.add(s.perSecond());
                sCpu.add(s.cpuPerEvent() * 1000);
                sCalls.add(s.callsPerEvent());
            }
            if (c != null) {
                cRate.add(c.perSecond());
                cCpu.add(c.cpuPerEvent() * 1000);
                cCalls.add(c.callsPerEvent());
            }
        }
        Double ratio = median(ratios);
        Double wholeRatio = median(wholeRatios);
        t.append("| **median** | ").append(fmtMedian(sRate, false)).append(" | ").append(fmtMedian(cRate, false))
                .append(" | **").append(ratio == null ? "–" : fmt2(ratio)).append("** | ")
                .append(wholeRatio == null ? "–" : fmt2(wholeRatio)).append(" | ").append(fmtMedian(sCpu, true))
                .append(" | ").append(fmtMedian(cCpu, true)).append(" | ").append(fmtMedian(sCalls, true))
                .append(" | ").append(fmtMedian(cCalls, true)).append(" |\n");
        report.append("\n## Burst\n\n").append(pageNote("Burst"))
                .append(messages).append(" terminating lifecycle-hook messages for group `burst-fleet`, whose profile has no ")
                .append("steps: ").append(distinct).append(" distinct action tokens and ").append(messages - distinct)
                .append(" duplicates (the same token sent again as a separate message), shuffled, all in the queue ")
                .append("before the consumer starts. A run lasts from the consumer's first ReceiveMessage until every ")
                .append("token is completed and the queue is empty. The **ceiling** is a minimal consumer written in ")
                .append("the bench with the same SDK (`dev.lifeguard.bench.Ceiling`), on the same stand-ins and load, ")
                .append("with 2 threads: ReceiveMessage (10, long poll), one conditional PutItem ")
                .append("(`attribute_not_exists(pk)`) per message — a duplicate skips the completion —, ")
                .append("CompleteLifecycleAction, DeleteMessageBatch. Service and ceiling runs alternate.\n\n")
                .append("Both run as fresh processes with the JVM options in `config/jvm.options`, started cold alike; ")
                .append("before the pairs, one unmeasured service run warms the stand-ins (which share the bench's JVM). ")
                .append("CPU: the whole process on both sides (/proc utime+stime over the run, JIT and GC ")
                .append("included). Calls: SQS and DynamoDB calls ")
                .append("counted by a forwarding proxy, plus Auto Scaling/EC2/SSM calls counted by the fleet stand-in, ")
                .append("from process start to the end of the run, per message.\n\n")
                .append("Rates: *whole run* counts from the first ReceiveMessage, so each side's JIT warm-up is in it; ")
                .append("*warm* counts from the completion of ")
                .append("the first quarter of the hooks to the last, for both sides alike. The target is judged on the ")
                .append("warm ratio, which is what a long-running service sees.\n\n")
                .append(t);
        target("Burst: throughput against the minimal client (warm)", "≥ 0.9", ratio == null ? "n/a" : fmt2(ratio) + " (median of " + ratios.size() + ")",
                ratio != null && ratio >= 0.9);
        Double sCpuMedian = median(sCpu);
        Double cCpuMedian = median(cCpu);
        boolean cpuKnown = sCpuMedian != null && cCpuMedian != null && cCpuMedian > 0;
        target("Burst: CPU per event against the minimal client", "≤ 1.5×",
                cpuKnown ? fmt2(sCpuMedian / cCpuMedian) + "× (" + fmt2(sCpuMedian) + " ms against " + fmt2(cCpuMedian) + " ms)" : "n/a",
                cpuKnown && sCpuMedian / cCpuMedian <= 1.5);
        if (full) {
            burstLayers(messages, capSeconds);
        }
    }

    /**
     * One more pair, each side with a flight recording: where each side's Java CPU goes, by layer,
     * per event, so that the difference between them is measured rather than guessed.
     */
    private void burstLayers(int messages, int capSeconds) throws Exception {
        Path serviceJfr = out.resolve("burst-service.jfr");
        Path ceilingJfr = out.resolve("burst-ceiling.jfr");
        Files.deleteIfExists(serviceJfr);
        Files.deleteIfExists(ceilingJfr);
        BurstResult service = burstRun("burst (service, recorded)", messages, capSeconds, false, serviceJfr);
        BurstResult ceiling = burstRun("burst (ceiling, recorded)", messages, capSeconds, true, ceilingJfr);
        if (service == null || ceiling == null || !Files.isRegularFile(serviceJfr) || !Files.isRegularFile(ceilingJfr)) {
            report.append("\nThe recorded pair did not complete; no breakdown by layer.\n");
            return;
        }
        Map<String, Integer> s = Layers.of(serviceJfr, service.firstReceive());
        Map<String, Integer> c = Layers.of(ceilingJfr, ceiling.firstReceive());
        double sTotal = s.values().stream().mapToInt(Integer::intValue).sum();
        double cTotal = c.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder t = new StringBuilder("| layer | service ms/event | ceiling ms/event | service share | ceiling share |\n|---|---|---|---|---|\n");
        for (String layer : s.keySet()) {
            int sn = s.getOrDefault(layer, 0);
            int cn = c.getOrDefault(layer, 0);
            if (sn == 0 && cn == 0) {
                continue;
            }
            t.append("| ").append(layer).append(" | ").append(fmt2(service.cpuPerEvent() * 1000 * sn / Math.max(1, sTotal)))
                    .append(" | ").append(fmt2(ceiling.cpuPerEvent() * 1000 * cn / Math.max(1, cTotal)))
                    .append(" | ").append(fmt(100 * sn / Math.max(1, sTotal))).append("%")
                    .append(" | ").append(fmt(100 * cn / Math.max(1, cTotal))).append("% |\n");
        }
        t.append("| **all** (").append((int) sTotal).append(" and ").append((int) cTotal).append(" samples) | **")
                .append(fmt2(service.cpuPerEvent() * 1000)).append("** | **").append(fmt2(ceiling.cpuPerEvent() * 1000))
                .append("** | 100% | 100% |\n");
        report.append("\n### Where the CPU goes, by layer\n\n")
                .append("One more pair, each side under a flight recording (JFR, `settings=profile`), from its first ")
                .append("ReceiveMessage on: each Java execution sample is put on the first frame from the top of its stack ")
                .append("that belongs to a library or to Lifeguard (`dev.lifeguard.bench.Layers`), and each layer's share of ")
                .append("the samples is applied to that run's measured CPU per event (")
                .append(fmt2(service.cpuPerEvent() * 1000)).append(" ms and ").append(fmt2(ceiling.cpuPerEvent() * 1000))
                .append(" ms; recording costs some). GC and JIT threads run no Java code: their share is spread ")
                .append("over the layers with the rest. Calls per event: ").append(fmt2(service.callsPerEvent())).append(" and ")
                .append(fmt2(ceiling.callsPerEvent())).append(".\n\n").append(t);
    }

    private BurstResult burstRun(String scenario, int messages, int capSeconds, boolean ceiling) throws Exception {
        return burstRun(scenario, messages, capSeconds, ceiling, null);
    }

    /** @param recording where a flight recording of the run goes, or null for none */
    private BurstResult burstRun(String scenario, int messages, int capSeconds, boolean ceiling, Path recording) throws Exception {
        List<String> profiling = recording == null ? List.of()
                : List.of("-XX:StartFlightRecording=filename=" + recording + ",settings=profile,dumponexit=true");
        resetCounters();
        fleet.rejectRepeatedCompletions(false).throttleHeartbeats(0);
        String queue = (ceiling ? "bench-ceiling-" : "bench-burst-") + (++run);
        String queueUrl = newQueue(queue);
        newQueue(queue + "-dlq");
        int distinct = messages - messages / 5;
        List<Hook> hooks = new ArrayList<>();
        for (int i = 0; i < distinct; i++) {
            hooks.add(hook("burst-fleet", account(i)));
        }
        List<Hook> load = new ArrayList<>(hooks);
        load.addAll(hooks.subList(0, messages - distinct));
        Collections.shuffle(load);
        send(queueUrl, load);
        resetCounters();

        JarProcess p = null;
        try {
            if (ceiling) {
                dynamoDirect.createTable(r -> r.tableName(queue).billingMode(BillingMode.PAY_PER_REQUEST)
                        .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH))
                        .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S)));
                // A fresh JVM with the service's JVM options, so both sides start cold alike.
                p = JarProcess.startMain(java, profiling, Ceiling.class.getName(), List.of(sqsProxy.endpoint().toString(),
                                dynamoProxy.endpoint().toString(), fleet.endpoint().toString(), queueUrl, queue, "2"),
                        repo, Map.of("PATH", System.getenv().getOrDefault("PATH", "")), out.resolve(queue + ".log"));
            } else {
                p = startJar(scenario, queue, "bench/profiles.yaml", profiling);
                openPage("Burst", p);
            }
            if (awaitFirstReceive(p, scenario, 90_000) == null) {
                return null;
            }
            long deadline = System.currentTimeMillis() + capSeconds * 1000L + 30_000;
            Long start = null;
            long end = 0;
            boolean done = false;
            while (System.currentTimeMillis() < deadline) {
                if (start == null && (start = sqsProxy.firstSeen(RECEIVE)) != null) {
                    deadline = start + capSeconds * 1000L;
                }
                if (!p.alive()) {
                    broken(scenario + ": the service died (exit " + p.process.exitValue() + "); log: " + repo.relativize(p.log));
                    return null;
                }
                if (fleet.completedTokens() >= distinct && queueDepth(queueUrl) == 0) {
                    end = System.currentTimeMillis();
                    done = true;
                    break;
                }
                Thread.sleep(50);
            }
            long calls = fleet.totalCalls() + sqsProxy.total() + dynamoProxy.total();
            double cpuEnd = p.cpuSecondsNow();
            Thread.sleep(300); // let a late duplicate completion show
            int completed = 0;
            int doubles = 0;
            long lastCompletion = 0;
            List<Long> firstCompletions = new ArrayList<>();
            for (Hook h : hooks) {
                List<FleetStandIn.Completion> list = fleet.completions(h.token());
                if (!list.isEmpty()) {
                    completed++;
                    lastCompletion = Math.max(lastCompletion, list.get(0).atMillis());
                    firstCompletions.add(list.get(0).atMillis());
                }
                if (list.size() > 1) {
                    doubles++;
                }
            }
            if (doubles > 0) {
                broken(scenario + ": " + doubles + " hook(s) completed more than once");
            }
            if (!scenario.contains("ceiling")) {
                assumedOnceIfTwoAccounts(scenario); // the ceiling is a minimal client, not the service
            }
            if (!done) {
                broken(scenario + ": " + (distinct - completed) + " of " + distinct + " hooks not completed (or queue not empty: "
                        + queueDepth(queueUrl) + ") within " + capSeconds + " s");
            }
            if (ceiling) {
                String ceilingLog = Files.readString(p.log, StandardCharsets.UTF_8);
                if (ceilingLog.contains(Ceiling.FAILED)) {
                    broken(scenario + ": the ceiling client failed; see " + repo.relativize(p.log));
                }
            }
            checkStandIns(scenario);
            if (!done || start == null) {
                return null;
            }
            double seconds = (Math.max(end, lastCompletion) - start) / 1000.0;
            double cpu = cpuEnd - p.cpuSecondsAt(start);
            // Warm: the rate after the first quarter of the hooks, once both JVMs have compiled the
            // hot code, as a long-running service has.
            Collections.sort(firstCompletions);
            int from = firstCompletions.size() / 4;
            long warmMillis = firstCompletions.get(firstCompletions.size() - 1) - firstCompletions.get(from);
            double warm = warmMillis <= 0 ? 0 : (firstCompletions.size() - 1 - from) * (messages / (double) distinct) / (warmMillis / 1000.0);
            BurstResult r = new BurstResult(seconds, messages / seconds, cpu / messages, calls / (double) messages,
                    completed, doubles, distinct, warm, Instant.ofEpochMilli(start));
            say("%s: %.1f msg/s over %.2f s (warm: %.1f msg/s), %.2f ms CPU/event, %.2f calls/event", scenario, r.perSecond(),
                    seconds, warm, r.cpuPerEvent() * 1000, r.callsPerEvent());
            return r;
        } finally {
            if (p != null) {
                p.close();
            }
        }
    }

    // ---------------------------------------------------------------- start-up

    /** One way of starting the jar: the JVM options it is given. */
    private record Flags(String name, String command, boolean optionsFile, List<String> jvm) {}

    private void startUp() throws Exception {
        int runs = intEnv("BENCH_STARTUP_RUNS", full ? 5 : 1);
        // The container's class archive, made as the Dockerfile makes it, for this very jar.
        Path archive = out.resolve("lifeguard.jsa");
        Process training = new ProcessBuilder(repo.resolve("container/make-class-archive").toString(), archive.toString(), jar.toString())
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(out.resolve("cds-training.log").toFile()).start();
        if (training.waitFor() != 0 || !Files.isRegularFile(archive)) {
            broken("start-up: container/make-class-archive failed; log: target/bench/cds-training.log");
            return;
        }
        List<Flags> flags = List.of(
                new Flags("default", "java -jar lifeguard.jar", false, List.of()),
                new Flags("container", "java -XX:SharedArchiveFile=lifeguard.jsa @config/jvm.options -jar lifeguard.jar", true,
                        List.of("-XX:SharedArchiveFile=" + archive)));
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<Double>> rss = new LinkedHashMap<>();
        flags.forEach(f -> {
            ms.put(f.name(), new ArrayList<>());
            rss.put(f.name(), new ArrayList<>());
        });
        StringBuilder t = new StringBuilder("| run | default: ms to first ReceiveMessage | default: idle RSS | container: ms to first ReceiveMessage | container: idle RSS |\n|---|---|---|---|---|\n");
        for (int i = 1; i <= runs; i++) {
            t.append("| ").append(i);
            // Interleaved, so that whatever else the machine does falls on both alike.
            for (Flags f : flags) {
                String scenario = "start-up " + f.name() + " " + i;
                resetCounters();
                String queue = "bench-startup-" + (++run);
                newQueue(queue);
                newQueue(queue + "-dlq");
                try (JarProcess p = startJar(scenario, queue, "bench/profiles.yaml", f.optionsFile(), f.jvm())) {
                    Long first = awaitFirstReceive(p, scenario, 90_000);
                    if (first == null) {
                        t.append(" | broken | ");
                        continue;
                    }
                    long took = first - p.startedAtMillis;
                    Thread.sleep(5000);
                    if (!p.alive()) {
                        broken(scenario + ": the service died while idle; log: " + repo.relativize(p.log));
                        t.append(" | broken | ");
                        continue;
                    }
                    double idle = p.rssKbNow() / 1024.0;
                    ms.get(f.name()).add((double) took);
                    rss.get(f.name()).add(idle);
                    t.append(" | ").append(took).append(" | ").append(fmt(idle)).append(" MB");
                    say("%s: %d ms to first ReceiveMessage, idle RSS %.0f MB", scenario, took, idle);
                }
                checkStandIns(scenario);
            }
            t.append(" |\n");
        }
        t.append("| **median** | ").append(fmtMedian(ms.get("default"), false)).append(" | ").append(fmtMedian(rss.get("default"), false))
                .append(" MB | ").append(fmtMedian(ms.get("container"), false)).append(" | ").append(fmtMedian(rss.get("container"), false))
                .append(" MB |\n");
        report.append("\n## Start-up\n\n")
                .append("Milliseconds from starting the JVM to the service's first SQS ReceiveMessage (seen by the counting proxy), ")
                .append("with an empty queue; then the resident set size after 5 s idle. Two ways of starting the same jar, ")
                .append("run in turn (").append(runs).append(" of each):\n\n");
        flags.forEach(f -> report.append("* **").append(f.name()).append("**: `").append(f.command()).append("`\n"));
        report.append("\n`config/jvm.options` holds `").append(jvmOptions()).append("`. The class archive ")
                .append("(`lifeguard.jsa`) is made as the Dockerfile makes it, by `container/make-class-archive` (a training run ")
                .append("of the service against endpoints nobody answers), for this jar (")
                .append(Files.size(archive) / (1024 * 1024)).append(" MB).\n\n").append(t);
        for (Flags f : flags) {
            Double m = median(ms.get(f.name()));
            Double r = median(rss.get(f.name()));
            boolean container = f.name().equals("container");
            target("Start-up, " + f.name() + " flags: first ReceiveMessage", container ? "< 2,000 ms" : "reported",
                    m == null ? "n/a" : fmt(m) + " ms", container && m != null ? (Boolean) (m < 2000) : null);
            target("Start-up, " + f.name() + " flags: idle RSS", container ? "< 160 MB" : "reported",
                    r == null ? "n/a" : fmt(r) + " MB", container && r != null ? (Boolean) (r < 160) : null);
        }
        double jarMb = Files.size(jar) / 1e6;
        target("Jar size", "< 35 MB", fmt(jarMb) + " MB", jarMb < 35);
        footprint(archive);
    }

    /**
     * What the jar and the idle service's memory are made of: the jar by part, then one more start
     * with the container's flags and Native Memory Tracking, read after 5 s idle.
     */
    private void footprint(Path archive) throws Exception {
        report.append("\n### What the jar holds\n\n")
                .append("`").append(repo.relativize(jar)).append("`, ").append(String.format(Locale.ROOT, "%.1f", Files.size(jar) / 1e6))
                .append(" MB (10^6 bytes): each part's compressed classes and resources (`dev.lifeguard.bench.Footprint` says which ")
                .append("packages make a part). The SDK's service modules hold only what the operations called reach, and the ")
                .append("requests of the others as stubs (pom.xml, `src/build/BareRequests.java`).\n\n| part | MB |\n|---|---|\n");
        for (Map.Entry<String, Long> part : Footprint.jarParts(jar).entrySet()) {
            report.append("| ").append(part.getKey()).append(" | ").append(String.format(Locale.ROOT, "%.2f", part.getValue() / 1e6)).append(" |\n");
        }
        String scenario = "start-up memory";
        resetCounters();
        String queue = "bench-startup-" + (++run);
        newQueue(queue);
        newQueue(queue + "-dlq");
        Footprint.Memory memory;
        double rss;
        try (JarProcess p = startJar(scenario, queue, "bench/profiles.yaml", true,
                List.of("-XX:SharedArchiveFile=" + archive, "-XX:NativeMemoryTracking=summary"))) {
            if (awaitFirstReceive(p, scenario, 90_000) == null) {
                return;
            }
            Thread.sleep(5000);
            if (!p.alive()) {
                broken(scenario + ": the service died while idle; log: " + repo.relativize(p.log));
                return;
            }
            memory = Footprint.memory(java.getParent().getParent(), p.pid());
            rss = p.rssKbNow() / 1024.0;
        }
        checkStandIns(scenario);
        Map<String, Long> rollup = memory.rollupKb();
        long anonymous = rollup.getOrDefault("Anonymous", 0L);
        long resident = rollup.getOrDefault("Rss", 0L);
        report.append("\n### What the idle service's memory holds\n\n")
                .append("One more start with the container's flags and `-XX:NativeMemoryTracking=summary`, read after 5 s idle: ")
                .append("`jcmd <pid> VM.native_memory summary` gives what each JVM area has committed, `jstat -gc` what the heap ")
                .append("and metaspace hold, `/proc/<pid>/smaps_rollup` the kernel's count. Committed memory is an upper bound of ")
                .append("what is resident (the kernel counts a page once it is touched), and memory the C library keeps for ")
                .append("itself is in the resident set but in no JVM area. Resident set of this run: ").append(fmt(rss))
                .append(" MB, of which ").append(fmt(anonymous / 1024.0)).append(" MB anonymous (heap, stacks, metaspace, code, ")
                .append("malloc) and ").append(fmt((resident - anonymous) / 1024.0))
                .append(" MB mapped from files (libjvm, the class archive, the jar's directory).\n\n")
                .append("| JVM area | holds | committed MB |\n|---|---|---|\n");
        for (String[] row : Footprint.rows(memory)) {
            report.append("| ").append(row[0]).append(" | ").append(row[1]).append(" | ")
                    .append(fmt(Long.parseLong(row[2]) / 1024.0)).append(" |\n");
        }
        report.append("| **total committed** | | **").append(fmt(memory.nmtTotalKb() / 1024.0)).append("** |\n\n")
                .append("Heap in use: ").append(fmt(memory.heapUsedKb() / 1024.0)).append(" MB; metaspace in use: ")
                .append(fmt(memory.metaspaceUsedKb() / 1024.0)).append(" MB (most classes live in the class archives instead: ")
                .append(fmt(memory.archiveRssKb() / 1024.0)).append(" MB of them resident, ")
                .append(fmt(memory.archiveAnonymousKb() / 1024.0)).append(" MB of that made private by the JVM's writes).\n");
    }

    /** The options in config/jvm.options, comments left out, as the report quotes them. */
    private String jvmOptions() throws IOException {
        return String.join(" ", Files.readAllLines(repo.resolve("config/jvm.options"), StandardCharsets.UTF_8).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    }

    // ---------------------------------------------------------------- the document

    private String document(long benchMillis) throws Exception {
        StringBuilder d = new StringBuilder("# Benchmarks\n\n");
        String note = invokedEnv.getOrDefault("BENCH_NOTE", "").trim();
        String commit = git("rev-parse", "--short", "HEAD");
        String dirty = git("status", "--porcelain", "--untracked-files=no").isEmpty() ? "" : " (with uncommitted changes)";
        d.append("Measured on commit `").append(commit).append("`").append(dirty).append(", jar `")
                .append(repo.relativize(jar)).append("` (sha-256 ").append(sha256(jar).substring(0, 12)).append(", ")
                .append(Files.size(jar) / (1024 * 1024)).append(" MB).");
        if (!note.isEmpty()) {
            d.append(" ").append(note);
        }
        StringBuilder sizes = new StringBuilder();
        invokedEnv.entrySet().stream().filter(e -> e.getKey().startsWith("BENCH_") && !e.getKey().equals("BENCH_NOTE"))
                .sorted(Map.Entry.comparingByKey()).forEach(e -> sizes.append(e.getKey()).append('=').append(e.getValue()).append(' '));
        d.append("\n\n```sh\n").append(sizes).append("bench/run ").append(full ? "full" : "quick").append("\n```\n\n")
                .append("| | |\n|---|---|\n")
                .append("| date | ").append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(Instant.now())).append(" |\n")
                .append("| mode | ").append(full ? "full" : "quick").append(" (bench time ").append(fmt(benchMillis / 1000.0)).append(" s) |\n")
                .append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ").append(cpuModel()).append(" |\n")
                .append("| java | ").append(javaVersion()).append(" |\n")
                .append("| service settings | LIFEGUARD_HOOK_HEARTBEAT_SECONDS=10, LIFEGUARD_POLL_WAIT_SECONDS=1").append(extraSettings()).append(" |\n")
                .append("| accounts | ").append(twoAccounts() ? "hub settings on (BENCH_ACCOUNTS=2): LIFEGUARD_ACCOUNTS=" + MEMBER
                        + ", every other hook from that member account, its calls made with an assumed role's credentials"
                        + " (STS answered by `FleetStandIn`); the rest from the service's own account " + FleetStandIn.ACCOUNT
                        : "one account (BENCH_ACCOUNTS=1)").append(" |\n")
                .append("| stand-ins | SQS: ElasticMQ in the bench process; DynamoDB: DynamoDB Local 2.6.1 in memory, its HTTP handler on an embedded Jetty bound to 127.0.0.1; ")
                .append("Auto Scaling, SSM, EC2: `FleetStandIn`. SQS and DynamoDB are reached through a counting proxy. All on 127.0.0.1, sharing the machine with the service. |\n")
                .append("\n## Targets\n\n| target | wanted | measured | |\n|---|---|---|---|\n");
        for (String[] t : targets) {
            d.append("| ").append(t[0]).append(" | ").append(t[1]).append(" | ").append(t[2]).append(" | ").append(t[3]).append(" |\n");
        }
        if (!breakages.isEmpty()) {
            d.append("\n**Broken:**\n\n");
            breakages.forEach(b -> d.append("* ").append(b).append("\n"));
        }
        d.append(report);
        d.append("\nService logs of every run: `target/bench/*.log`.\n");
        // The figures past this machine are worked out by hand from the measured calls per event.
        Path paper = repo.resolve("bench/on-paper.md");
        if (Files.isRegularFile(paper)) {
            d.append("\n").append(Files.readString(paper, StandardCharsets.UTF_8));
        }
        return d.toString();
    }

    private String extraSettings() {
        StringBuilder s = new StringBuilder();
        invokedEnv.entrySet().stream().filter(e -> e.getKey().startsWith("LIFEGUARD_")).sorted(Map.Entry.comparingByKey())
                .forEach(e -> s.append(", ").append(e.getKey()).append("=").append(e.getValue()));
        String opts = invokedEnv.getOrDefault("BENCH_JAVA_OPTS", "").trim();
        if (!opts.isEmpty()) {
            s.append("; JVM options: `").append(opts).append("`");
        }
        return s.toString();
    }

    private void target(String what, String wanted, String measured, Boolean met) {
        targets.add(new String[] {what, wanted, measured, met == null ? "reported" : met ? "**met**" : "**missed**"});
    }

    private void broken(String why) {
        breakages.add(why);
        System.err.println("BROKEN: " + why);
    }

    // ---------------------------------------------------------------- helpers

    private static final class Row {
        private final Map<String, String> cells = new LinkedHashMap<>();

        void put(String k, String v) {
            cells.put(k, v);
        }

        String table() {
            StringBuilder t = new StringBuilder("| measure | run 1 |\n|---|---|\n");
            cells.forEach((k, v) -> t.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            return t.toString();
        }

        @Override
        public String toString() {
            return cells.toString();
        }
    }

    private void openPage(String title, JarProcess p) {
        pages.computeIfAbsent(title, t -> new ArrayList<>()).add(p.openStatusPage());
    }

    /** Says that the service's runs had the status page open, and what it read. */
    private String pageNote(String title) {
        List<StatusPageReader> open = pages.getOrDefault(title, List.of());
        int status = open.stream().mapToInt(r -> r.statusOk.get()).sum();
        int fleetReads = open.stream().mapToInt(r -> r.fleetOk.get()).sum();
        int failed = open.stream().mapToInt(r -> r.failed.get()).sum();
        return "With the status page open: during every service run, from the management server's first answer on, "
                + "the bench reads `/observe/status` every 2 s and `/observe/fleet` every 10 s, as the page in a browser "
                + "does (" + status + " and " + fleetReads + " answers, " + failed + " not answered).\n\n";
    }

    private int intEnv(String name, int fallback) {
        String v = invokedEnv.get(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String fmtMedian(List<Double> values, boolean twoDecimals) {
        Double m = median(values);
        return m == null ? "–" : "**" + (twoDecimals ? fmt2(m) : fmt(m)) + "**";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }

    private static String fmt2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static void say(String format, Object... args) {
        System.out.println("[bench] " + String.format(Locale.ROOT, format, args));
    }

    private String git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? s : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(md.digest(Files.readAllBytes(file)));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private String javaVersion() {
        try {
            Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return String.join("; ", s.lines().toList());
        } catch (Exception e) {
            return System.getProperty("java.version");
        }
    }
}
