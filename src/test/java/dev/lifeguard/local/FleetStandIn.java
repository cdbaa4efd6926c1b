package dev.lifeguard.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A fast, stateful stand-in for the parts of Auto Scaling, SSM and EC2 that Lifeguard calls, on
 * one JDK HTTP server bound to 127.0.0.1. Point the SDK at {@link #endpoint()} for all three
 * services (AWS_ENDPOINT_URL_AUTO_SCALING, _SSM, _EC2 or the aws.endpointUrl* properties).
 *
 * <ul>
 *   <li>Auto Scaling (query protocol): CompleteLifecycleAction, RecordLifecycleActionHeartbeat
 *       (every call's time kept per action token), DescribeLifecycleHooks and
 *       DescribeAutoScalingInstances, answered from {@link #actions()}: only actions a test
 *       started there are live. Faults: throttled heartbeats.</li>
 *   <li>SSM (JSON 1.1): SendCommand, GetCommandInvocation (InProgress until the command's duration
 *       has passed, then Success or the configured final status), CancelCommand.</li>
 *   <li>EC2 (query protocol): DescribeInstances by instance ids or the instance-id filter: every instance is running, with a
 *       private address derived from its id.</li>
 * </ul>
 * Times are epoch milliseconds. Every action's calls are counted.
 */
public final class FleetStandIn implements AutoCloseable {
    public static final String AUTO_SCALING_NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
    public static final String EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /** One CompleteLifecycleAction call; {@code accepted} is false when it was answered with an error. */
    public record Completion(long atMillis, String result, String group, String hook, String instanceId, boolean accepted) {}

    /** One SendCommand call. */
    public record Command(String commandId, List<String> instanceIds, String document,
                          Map<String, List<String>> parameters, long sentAtMillis) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, List<Completion>> completions = new ConcurrentHashMap<>();
    private final Map<String, Command> commands = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> callsPerCommand = new ConcurrentHashMap<>();
    private final Map<String, Long> cancelled = new ConcurrentHashMap<>();
    private final Map<String, Duration> durationPerInstance = new ConcurrentHashMap<>();
    private final Map<String, String> finalStatusPerInstance = new ConcurrentHashMap<>();
    private final AtomicLong errors = new AtomicLong();
    private final LiveActions actions = new LiveActions();
    private volatile String lastError;

    private volatile Duration commandDuration = Duration.ofSeconds(30);
    /** Where SSM's status events go when a command ends (the intake queue), or null for none. */
    private volatile java.util.function.Consumer<String> statusEvents;
    private volatile double loseStatusEvents;
    private final Set<String> statusEventsLost = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ScheduledExecutorService ends = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "fleet-stand-in-ssm-events");
        t.setDaemon(true);
        return t;
    });
    private volatile int heartbeatTimeoutSeconds = 3600;
    private volatile double throttleHeartbeats;
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> throttleNext = new ConcurrentHashMap<>();
    private volatile boolean rejectRepeatedCompletions;

    private FleetStandIn(int threads) throws IOException {
        noDelay();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "fleet-stand-in");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Without TCP_NODELAY the JDK server writes headers and body as separate small packets, and
     * Nagle's algorithm against the client's delayed ACK adds about 40 ms to every call. The
     * property is read once, when the first JDK HTTP server starts.
     */
    public static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Starts on a free port with a pool of four threads. */
    public static FleetStandIn start() {
        return start(4);
    }

    public static FleetStandIn start(int threads) {
        try {
            return new FleetStandIn(threads);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fleet stand-in", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Binds Auto Scaling, SSM and EC2 clients pointed here under the names the service's
     * configuration looks for, so a route test's engine calls this stand-in.
     */
    public void bindClients(CamelContext camelContext) {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"));
        camelContext.getRegistry().bind("autoScalingClient", AutoScalingClient.class, AutoScalingClient.builder()
                .endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials).build());
        camelContext.getRegistry().bind("ssmClient", SsmClient.class, SsmClient.builder()
                .endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials).build());
        camelContext.getRegistry().bind("ec2Client", Ec2Client.class, Ec2Client.builder()
                .endpointOverride(endpoint()).region(Region.US_EAST_1).credentialsProvider(credentials).build());
    }

    // ---- settings and faults ----

    /** How long every SSM command runs before it ends (default 30 s). */
    public FleetStandIn commandDuration(Duration duration) {
        this.commandDuration = duration;
        return this;
    }

    /** How long commands sent to this instance run. */
    public FleetStandIn commandDuration(String instanceId, Duration duration) {
        durationPerInstance.put(instanceId, duration);
        return this;
    }

    /** The status a command on this instance ends with, e.g. {@code Failed} (default Success). */
    public FleetStandIn commandEnds(String instanceId, String finalStatus) {
        finalStatusPerInstance.put(instanceId, finalStatus);
        return this;
    }

    /**
     * Publishes SSM's EventBridge event "EC2 Command Invocation Status-change Notification" for
     * every command as it ends, as the deploy template's rule does, to {@code publish} (which sends
     * it to the intake queue); {@code lose} (0 to 1) is the share of events dropped on the way,
     * chosen at random per command.
     */
    public FleetStandIn publishStatusEvents(java.util.function.Consumer<String> publish, double lose) {
        this.statusEvents = publish;
        this.loseStatusEvents = lose;
        return this;
    }

    /** Command ids whose status event was dropped on purpose ({@link #publishStatusEvents}). */
    public Set<String> statusEventsLost() {
        return Set.copyOf(statusEventsLost);
    }

    /** An SSM status event as EventBridge delivers it, for a command on an instance. */
    public static String statusEvent(String commandId, String instanceId, String document, String status) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("id", UUID.randomUUID().toString());
        event.put("detail-type", "EC2 Command Invocation Status-change Notification");
        event.put("source", "aws.ssm");
        event.put("account", "123456789012");
        event.put("time", java.time.Instant.now().toString());
        event.put("region", "us-east-1");
        event.putArray("resources").add("arn:aws:ec2:us-east-1:123456789012:instance/" + instanceId);
        ObjectNode detail = event.putObject("detail");
        detail.put("command-id", commandId);
        detail.put("document-name", document);
        detail.put("instance-id", instanceId);
        detail.put("requested-date-time", java.time.Instant.now().toString());
        detail.put("status", status);
        return event.toString();
    }

    private void scheduleStatusEvents(String commandId, List<String> instances, String document) {
        java.util.function.Consumer<String> publish = statusEvents;
        if (publish == null) {
            return;
        }
        for (String instance : instances) {
            Duration duration = durationPerInstance.getOrDefault(instance, commandDuration);
            ends.schedule(() -> {
                if (ThreadLocalRandom.current().nextDouble() < loseStatusEvents) {
                    statusEventsLost.add(commandId);
                    return;
                }
                String status = cancelled.containsKey(commandId) ? "Cancelled" : finalStatusPerInstance.getOrDefault(instance, "Success");
                try {
                    publish.accept(statusEvent(commandId, instance, document, status));
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    lastError = "could not publish the status event of " + commandId + ": " + e;
                }
            }, duration.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** HeartbeatTimeout that DescribeLifecycleHooks reports (default 3600). */
    public FleetStandIn heartbeatTimeoutSeconds(int seconds) {
        this.heartbeatTimeoutSeconds = seconds;
        return this;
    }

    /** Fraction (0 to 1) of heartbeats answered with Throttling; 1 throttles every one. */
    public FleetStandIn throttleHeartbeats(double fraction) {
        this.throttleHeartbeats = fraction;
        return this;
    }

    /** Answers the next {@code calls} calls of a query-protocol action (DescribeAutoScalingInstances, DescribeInstances) with Throttling. */
    public FleetStandIn throttleNext(String action, int calls) {
        throttleNext.put(action, new java.util.concurrent.atomic.AtomicInteger(calls));
        return this;
    }

    /** Answer a second CompleteLifecycleAction for a token with ValidationError, as Auto Scaling does. */
    public FleetStandIn rejectRepeatedCompletions(boolean reject) {
        this.rejectRepeatedCompletions = reject;
        return this;
    }

    /** The lifecycle actions Auto Scaling knows: start one for every hook a test sends ({@link LiveActions#sent}). */
    public LiveActions actions() {
        return actions;
    }

    /** Forgets every record and counter; settings stay. */
    public void reset() {
        calls.clear();
        heartbeats.clear();
        completions.clear();
        commands.clear();
        callsPerCommand.clear();
        cancelled.clear();
        statusEventsLost.clear();
        errors.set(0);
        lastError = null;
    }

    // ---- what was called ----

    /** Calls per action name (e.g. CompleteLifecycleAction, SendCommand, DescribeInstances), including refused ones. */
    public Map<String, Long> calls() {
        Map<String, Long> copy = new TreeMap<>();
        calls.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    public long calls(String action) {
        LongAdder n = calls.get(action);
        return n == null ? 0 : n.sum();
    }

    public long totalCalls() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Times of every heartbeat accepted for this token (throttled calls are only counted), in arrival order. */
    public List<Long> heartbeats(String token) {
        List<Long> list = heartbeats.get(token);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    /** Per token, the times of every heartbeat accepted. */
    public Map<String, List<Long>> heartbeats() {
        Map<String, List<Long>> copy = new LinkedHashMap<>();
        heartbeats.keySet().forEach(token -> copy.put(token, heartbeats(token)));
        return copy;
    }

    /** Every CompleteLifecycleAction call for this token, in arrival order. */
    public List<Completion> completions(String token) {
        List<Completion> list = completions.get(token);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    public Map<String, List<Completion>> completions() {
        Map<String, List<Completion>> copy = new LinkedHashMap<>();
        completions.keySet().forEach(token -> copy.put(token, completions(token)));
        return copy;
    }

    /** Tokens with at least one CompleteLifecycleAction call. */
    public int completedTokens() {
        return completions.size();
    }

    public List<Command> commands() {
        List<Command> list = new ArrayList<>(commands.values());
        list.sort((a, b) -> Long.compare(a.sentAtMillis(), b.sentAtMillis()));
        return list;
    }

    public List<Command> commandsFor(String instanceId) {
        return commands().stream().filter(c -> c.instanceIds().contains(instanceId)).toList();
    }

    /** SendCommand, GetCommandInvocation and CancelCommand calls naming this command id. */
    public long callsFor(String commandId) {
        LongAdder n = callsPerCommand.get(commandId);
        return n == null ? 0 : n.sum();
    }

    public boolean wasCancelled(String commandId) {
        return cancelled.containsKey(commandId);
    }

    /** Requests the stand-in could not answer (unknown action, unreadable body, its own bug). */
    public long errors() {
        return errors.get();
    }

    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        ends.shutdownNow();
    }

    // ---- protocol ----

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            Reply reply;
            try {
                if (target != null && target.startsWith("AmazonSSM.")) {
                    reply = ssm(target.substring("AmazonSSM.".length()), JSON.readTree(body));
                } else {
                    reply = query(form(new String(body, StandardCharsets.UTF_8)));
                }
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                lastError = e.toString();
                reply = new Reply(500, "text/plain", "stand-in failure: " + e);
            }
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", reply.contentType());
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(reply.status(), out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        } catch (IOException e) {
            // The caller went away (a killed process); nothing to answer.
        }
    }

    private record Reply(int status, String contentType, String body) {}

    private void count(String action) {
        calls.computeIfAbsent(action, k -> new LongAdder()).increment();
    }

    static Map<String, String> form(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    /** Values of a list parameter: Prefix.1, Prefix.2, … */
    private static List<String> list(Map<String, String> params, String prefix) {
        List<String> values = new ArrayList<>();
        for (int i = 1; params.containsKey(prefix + "." + i); i++) {
            values.add(params.get(prefix + "." + i));
        }
        return values;
    }

    private Reply query(Map<String, String> params) {
        String action = params.getOrDefault("Action", "");
        count(action.isEmpty() ? "(none)" : action);
        java.util.concurrent.atomic.AtomicInteger throttled = throttleNext.get(action);
        if (throttled != null && throttled.getAndDecrement() > 0) {
            // Each service throttles in its own words: EC2's RequestLimitExceeded in EC2's error shape.
            return action.equals("DescribeInstances")
                    ? new Reply(503, "text/xml", "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                            + "<Message>Request limit exceeded.</Message></Error></Errors><RequestID>" + UUID.randomUUID()
                            + "</RequestID></Response>")
                    : autoScalingError(400, "Throttling", "Rate exceeded");
        }
        return switch (action) {
            case "CompleteLifecycleAction" -> completeLifecycleAction(params);
            case "RecordLifecycleActionHeartbeat" -> heartbeat(params);
            case "DescribeLifecycleHooks" -> describeLifecycleHooks(params);
            case "DescribeAutoScalingInstances" -> new Reply(200, "text/xml",
                    actions.describeResponse(list(params, "InstanceIds.member")));
            case "DescribeInstances" -> describeInstances(params);
            case "GetCallerIdentity" -> callerIdentity();
            case "AssumeRole" -> assumeRole(params);
            default -> {
                errors.incrementAndGet();
                lastError = "unknown action " + action;
                yield autoScalingError(400, "InvalidAction", "The action " + action + " is not valid for this stand-in");
            }
        };
    }

    /** The account a service's own credentials are in here (STS's GetCallerIdentity). */
    public static final String ACCOUNT = "111111111111";

    private static Reply callerIdentity() {
        return new Reply(200, "text/xml", "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><Arn>arn:aws:iam::" + ACCOUNT + ":user/stand-in</Arn><UserId>AIDASTANDIN</UserId>"
                + "<Account>" + ACCOUNT + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>" + UUID.randomUUID()
                + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    }

    /** A session of the role asked for, for as long as asked (an hour by default), with keys of its own. */
    private static Reply assumeRole(Map<String, String> p) {
        String role = p.getOrDefault("RoleArn", "");
        String session = p.getOrDefault("RoleSessionName", "");
        java.time.Instant expiry = java.time.Instant.now().plusSeconds(Long.parseLong(p.getOrDefault("DurationSeconds", "3600")));
        String key = "ASIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
        return new Reply(200, "text/xml", "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
                + "<Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>stand-in</SecretAccessKey>"
                + "<SessionToken>stand-in-" + key + "</SessionToken><Expiration>" + expiry + "</Expiration></Credentials>"
                + "<AssumedRoleUser><Arn>" + LiveActions.xml(role.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")) + "/"
                + LiveActions.xml(session) + "</Arn><AssumedRoleId>AROASTANDIN:" + LiveActions.xml(session) + "</AssumedRoleId>"
                + "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>" + UUID.randomUUID()
                + "</RequestId></ResponseMetadata></AssumeRoleResponse>");
    }

    private Reply completeLifecycleAction(Map<String, String> p) {
        long now = System.currentTimeMillis();
        String token = p.getOrDefault("LifecycleActionToken", "");
        List<Completion> list = completions.computeIfAbsent(token, k -> new ArrayList<>());
        String refused;
        synchronized (list) {
            refused = actions.complete(p);
            boolean repeated = list.stream().anyMatch(Completion::accepted);
            if (refused != null && repeated && !rejectRepeatedCompletions) {
                refused = null; // lenient: a second completion of the same action is accepted
            }
            list.add(new Completion(now, p.get("LifecycleActionResult"), p.get("AutoScalingGroupName"),
                    p.get("LifecycleHookName"), p.get("InstanceId"), refused == null));
        }
        if (refused != null) {
            return autoScalingError(400, "ValidationError", refused);
        }
        return autoScalingOk("CompleteLifecycleAction", "");
    }

    private Reply heartbeat(Map<String, String> p) {
        long now = System.currentTimeMillis();
        double throttle = throttleHeartbeats;
        if (throttle > 0 && (throttle >= 1 || ThreadLocalRandom.current().nextDouble() < throttle)) {
            count("RecordLifecycleActionHeartbeat.Throttled");
            return autoScalingError(400, "Throttling", "Rate exceeded");
        }
        String refused = actions.heartbeat(p);
        if (refused != null) {
            return autoScalingError(400, "ValidationError", refused);
        }
        List<Long> list = heartbeats.computeIfAbsent(p.getOrDefault("LifecycleActionToken", ""), k -> new ArrayList<>());
        synchronized (list) {
            list.add(now);
        }
        return autoScalingOk("RecordLifecycleActionHeartbeat", "");
    }

    private Reply describeLifecycleHooks(Map<String, String> p) {
        String group = p.getOrDefault("AutoScalingGroupName", "");
        List<String> names = list(p, "LifecycleHookNames.member");
        StringBuilder hooks = new StringBuilder("<LifecycleHooks>");
        for (String name : names) {
            hooks.append("<member><LifecycleHookName>").append(xml(name)).append("</LifecycleHookName>")
                    .append("<AutoScalingGroupName>").append(xml(group)).append("</AutoScalingGroupName>")
                    .append("<LifecycleTransition>autoscaling:EC2_INSTANCE_TERMINATING</LifecycleTransition>")
                    .append("<HeartbeatTimeout>").append(heartbeatTimeoutSeconds).append("</HeartbeatTimeout>")
                    .append("<GlobalTimeout>172800</GlobalTimeout>")
                    .append("<DefaultResult>CONTINUE</DefaultResult></member>");
        }
        hooks.append("</LifecycleHooks>");
        return autoScalingOk("DescribeLifecycleHooks", hooks.toString());
    }

    private static Reply autoScalingOk(String action, String result) {
        return new Reply(200, "text/xml", "<" + action + "Response xmlns=\"" + AUTO_SCALING_NS + "\">"
                + "<" + action + "Result>" + result + "</" + action + "Result>"
                + "<ResponseMetadata><RequestId>" + UUID.randomUUID() + "</RequestId></ResponseMetadata>"
                + "</" + action + "Response>");
    }

    private static Reply autoScalingError(int status, String code, String message) {
        return new Reply(status, "text/xml", "<ErrorResponse xmlns=\"" + AUTO_SCALING_NS + "\">"
                + "<Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + xml(message) + "</Message></Error>"
                + "<RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>");
    }

    /** A private address derived from the instance id, the same on every call. */
    public static String privateIp(String instanceId) {
        int hash = instanceId.hashCode() & 0x7fffffff;
        return "10." + (hash % 250 + 1) + "." + (hash / 250 % 250) + "." + (hash / 62500 % 250 + 1);
    }

    /** By InstanceIds, or by the instance-id filter, as Lifeguard asks in batches. */
    private Reply describeInstances(Map<String, String> p) {
        StringBuilder items = new StringBuilder();
        List<String> ids = new ArrayList<>(list(p, "InstanceId"));
        for (int f = 1; p.containsKey("Filter." + f + ".Name"); f++) {
            if ("instance-id".equals(p.get("Filter." + f + ".Name"))) {
                ids.addAll(list(p, "Filter." + f + ".Value"));
            }
        }
        for (String id : ids) {
            String ip = privateIp(id);
            items.append("<item><reservationId>r-").append(Integer.toHexString(id.hashCode()))
                    .append("</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item>")
                    .append("<instanceId>").append(xml(id)).append("</instanceId>")
                    .append("<imageId>ami-0123456789abcdef0</imageId>")
                    .append("<instanceState><code>16</code><name>running</name></instanceState>")
                    .append("<privateDnsName>ip-").append(ip.replace('.', '-')).append(".ec2.internal</privateDnsName>")
                    .append("<dnsName/><instanceType>m5.large</instanceType>")
                    .append("<privateIpAddress>").append(ip).append("</privateIpAddress>")
                    .append("</item></instancesSet></item>");
        }
        return new Reply(200, "text/xml", "<DescribeInstancesResponse xmlns=\"" + EC2_NS + "\">"
                + "<requestId>" + UUID.randomUUID() + "</requestId><reservationSet>" + items
                + "</reservationSet></DescribeInstancesResponse>");
    }

    private Reply ssm(String action, JsonNode request) {
        count(action);
        return switch (action) {
            case "SendCommand" -> sendCommand(request);
            case "GetCommandInvocation" -> getCommandInvocation(request);
            case "CancelCommand" -> cancelCommand(request);
            default -> {
                errors.incrementAndGet();
                lastError = "unknown SSM action " + action;
                yield ssmError("InvalidAction", "The action " + action + " is not valid for this stand-in");
            }
        };
    }

    private Reply sendCommand(JsonNode request) {
        long now = System.currentTimeMillis();
        String commandId = UUID.randomUUID().toString();
        List<String> instances = new ArrayList<>();
        request.path("InstanceIds").forEach(n -> instances.add(n.asText()));
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        request.path("Parameters").fields().forEachRemaining(e -> {
            List<String> values = new ArrayList<>();
            e.getValue().forEach(v -> values.add(v.asText()));
            parameters.put(e.getKey(), Collections.unmodifiableList(values));
        });
        String document = request.path("DocumentName").asText();
        commands.put(commandId, new Command(commandId, List.copyOf(instances), document, Collections.unmodifiableMap(parameters), now));
        callsPerCommand.computeIfAbsent(commandId, k -> new LongAdder()).increment();
        scheduleStatusEvents(commandId, instances, document);
        ObjectNode command = JSON.createObjectNode();
        command.put("CommandId", commandId);
        command.put("DocumentName", document);
        ArrayNode ids = command.putArray("InstanceIds");
        instances.forEach(ids::add);
        command.put("Status", "Pending");
        command.put("RequestedDateTime", now / 1000.0);
        command.put("TargetCount", instances.size());
        ObjectNode response = JSON.createObjectNode();
        response.set("Command", command);
        return new Reply(200, "application/x-amz-json-1.1", response.toString());
    }

    private Reply getCommandInvocation(JsonNode request) {
        String commandId = request.path("CommandId").asText();
        String instanceId = request.path("InstanceId").asText();
        Command command = commands.get(commandId);
        if (command == null || !command.instanceIds().contains(instanceId)) {
            return ssmError("InvocationDoesNotExist", null);
        }
        callsPerCommand.computeIfAbsent(commandId, k -> new LongAdder()).increment();
        long now = System.currentTimeMillis();
        Duration duration = durationPerInstance.getOrDefault(instanceId, commandDuration);
        String status;
        if (cancelled.containsKey(commandId)) {
            status = "Cancelled";
        } else if (now - command.sentAtMillis() < duration.toMillis()) {
            status = "InProgress";
        } else {
            status = finalStatusPerInstance.getOrDefault(instanceId, "Success");
        }
        boolean ended = !status.equals("InProgress");
        ObjectNode response = JSON.createObjectNode();
        response.put("CommandId", commandId);
        response.put("InstanceId", instanceId);
        response.put("DocumentName", command.document());
        response.put("Status", status);
        response.put("StatusDetails", status);
        response.put("ResponseCode", ended ? (status.equals("Success") ? 0 : 1) : -1);
        response.put("ExecutionStartDateTime", java.time.Instant.ofEpochMilli(command.sentAtMillis()).toString());
        response.put("StandardOutputContent", status.equals("Success") ? "drained " + instanceId + "\n" : "");
        response.put("StandardErrorContent", status.equals("Failed") ? "command failed on " + instanceId + "\n" : "");
        return new Reply(200, "application/x-amz-json-1.1", response.toString());
    }

    private Reply cancelCommand(JsonNode request) {
        String commandId = request.path("CommandId").asText();
        if (!commands.containsKey(commandId)) {
            return ssmError("InvalidCommandId", null);
        }
        callsPerCommand.computeIfAbsent(commandId, k -> new LongAdder()).increment();
        cancelled.putIfAbsent(commandId, System.currentTimeMillis());
        return new Reply(200, "application/x-amz-json-1.1", "{}");
    }

    private static Reply ssmError(String type, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("__type", type);
        if (message != null) {
            error.put("message", message);
        }
        return new Reply(400, "application/x-amz-json-1.1", error.toString());
    }

    private static String xml(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
