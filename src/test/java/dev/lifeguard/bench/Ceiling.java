package dev.lifeguard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The least a hook consumer can do, written with the same SDK and run against the same stand-ins
 * as the service: receive up to 10 messages (long poll), claim each action token with a
 * conditional PutItem, complete the hooks it claimed (a duplicate's claim fails, so it is not
 * completed again), delete the batch. Its throughput is the ceiling the service is compared with.
 */
final class Ceiling implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SqsClient sqs;
    private final DynamoDbClient dynamoDb;
    private final AutoScalingClient autoScaling;
    private final String queueUrl;
    private final String table;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastFailure;
    private volatile boolean stop;
    private long cpuNanos;

    Ceiling(URI sqsEndpoint, URI dynamoDbEndpoint, URI autoScalingEndpoint, AwsCredentialsProvider credentials,
            String queueUrl, String table) {
        Region region = Region.US_EAST_1;
        this.sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(region).credentialsProvider(credentials).build();
        this.dynamoDb = DynamoDbClient.builder().endpointOverride(dynamoDbEndpoint).region(region).credentialsProvider(credentials).build();
        this.autoScaling = AutoScalingClient.builder().endpointOverride(autoScalingEndpoint).region(region)
                .credentialsProvider(credentials).build();
        this.queueUrl = queueUrl;
        this.table = table;
    }

    void start(int consumers, int waitSeconds) {
        for (int i = 0; i < consumers; i++) {
            Thread t = new Thread(() -> consume(waitSeconds), "ceiling-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void consume(int waitSeconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadCpuTime();
        while (!stop) {
            try {
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                        .waitTimeSeconds(waitSeconds)).messages();
                if (messages.isEmpty()) {
                    continue;
                }
                List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
                for (int i = 0; i < messages.size(); i++) {
                    Message m = messages.get(i);
                    JsonNode hook = JSON.readTree(m.body());
                    String token = hook.path("LifecycleActionToken").asText();
                    try {
                        dynamoDb.putItem(r -> r.tableName(table).conditionExpression("attribute_not_exists(pk)")
                                .item(Map.of("pk", AttributeValue.fromS("hook#" + token),
                                        "instanceId", AttributeValue.fromS(hook.path("EC2InstanceId").asText()))));
                        autoScaling.completeLifecycleAction(r -> r.autoScalingGroupName(hook.path("AutoScalingGroupName").asText())
                                .lifecycleHookName(hook.path("LifecycleHookName").asText())
                                .instanceId(hook.path("EC2InstanceId").asText())
                                .lifecycleActionToken(token).lifecycleActionResult("CONTINUE"));
                    } catch (ConditionalCheckFailedException duplicate) {
                        // claimed before: already completed
                    }
                    done.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(m.receiptHandle()).build());
                }
                sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(done));
            } catch (Exception e) {
                if (!stop) {
                    failures.incrementAndGet();
                    lastFailure = e.toString();
                }
            }
        }
        synchronized (this) {
            cpuNanos += mx.getCurrentThreadCpuTime() - before;
        }
    }

    /**
     * Runs the ceiling in a process of its own, started cold like the service:
     * {@code Ceiling SQS_ENDPOINT DYNAMODB_ENDPOINT AUTO_SCALING_ENDPOINT QUEUE_URL TABLE CONSUMERS}.
     * It consumes until killed; failures are printed as they happen.
     */
    public static void main(String[] args) throws InterruptedException {
        Ceiling ceiling = new Ceiling(URI.create(args[0]), URI.create(args[1]), URI.create(args[2]),
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("bench", "bench")),
                args[3], args[4]);
        ceiling.start(Integer.parseInt(args[5]), 1);
        long reported = 0;
        while (true) {
            Thread.sleep(250);
            if (ceiling.failures() != reported) {
                reported = ceiling.failures();
                System.out.println(FAILED + reported + ", last: " + ceiling.lastFailure());
            }
        }
    }

    /** How a ceiling process reports failures in its output. */
    static final String FAILED = "ceiling failures: ";

    long failures() {
        return failures.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    /** CPU seconds its consumer threads used; valid after close. */
    synchronized double cpuSeconds() {
        return cpuNanos / 1e9;
    }

    @Override
    public void close() {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sqs.close();
        dynamoDb.close();
        autoScaling.close();
    }
}
