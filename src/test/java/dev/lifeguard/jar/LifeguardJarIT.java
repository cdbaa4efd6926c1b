package dev.lifeguard.jar;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LiveActions;
import dev.lifeguard.local.LocalAutoScaling;
import dev.lifeguard.local.MotoServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The packaged jar, started as an operator starts it: {@code java -jar target/lifeguard.jar}
 * from the repository root, configured only through the documented environment variables,
 * with moto_server for SQS and DynamoDB and WireMock for Auto Scaling.
 */
class LifeguardJarIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Path LOGS = Path.of("target", "jar-it");

    private static MotoServer moto;
    private static WireMockServer autoScaling;
    private static final LiveActions ACTIONS = new LiveActions();
    private static SqsClient sqs;
    private static DynamoDbClient dynamoDb;

    @BeforeAll
    static void standIns() throws Exception {
        Files.createDirectories(LOGS);
        moto = MotoServer.start(LOGS.resolve("moto.log"));
        autoScaling = LocalAutoScaling.start(ACTIONS);
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"));
        sqs = SqsClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
        dynamoDb = DynamoDbClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials).build();
    }

    @AfterAll
    static void stop() {
        if (autoScaling != null) {
            autoScaling.stop();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void processesEveryHookFormatAndCompletesEachExactlyOnce() throws Exception {
        String queueUrl = sqs.createQueue(r -> r.queueName("jar-it-in")).queueUrl();
        String deadLetterUrl = sqs.createQueue(r -> r.queueName("jar-it-dlq")).queueUrl();

        List<LifecycleEvent> hooks = new ArrayList<>();
        for (String file : List.of("hook-launching.json", "hook-terminating.json", "sns-hook-terminating.json",
                "eventbridge-launch-lifecycle-action.json", "eventbridge-terminate-lifecycle-action.json")) {
            String body = Fixtures.fresh(Fixtures.read(file));
            hooks.add(Fixtures.parse(ACTIONS.sent(body)));
            // Every hook twice: the second copy must be recognised as a duplicate.
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
        }
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(Fixtures.read("test-notification.json")));
        String refusedId = sqs.sendMessage(r -> r.queueUrl(queueUrl)
                .messageBody(Fixtures.read("refused/hook-bad-group.json"))).messageId();

        long started = System.nanoTime();
        // The queue by name, the dead-letter queue by URL: both forms are accepted. One consumer:
        // moto's DynamoDB does not make concurrent conditional writes atomic (two racing claims
        // can both succeed there, never on DynamoDB); DynamoDbIdempotentRepositoryTest races
        // claims against DynamoDB Local instead.
        Process lifeguard = startJar(Map.of(
                "LIFEGUARD_CONSUMERS", "1",
                "LIFEGUARD_QUEUE", "jar-it-in",
                "LIFEGUARD_DEAD_LETTER_QUEUE", deadLetterUrl,
                "LIFEGUARD_TABLE", "jar-it",
                "LIFEGUARD_TABLE_CREATE", "true",
                "LIFEGUARD_POLL_WAIT_SECONDS", "1",
                "LIFEGUARD_PROFILES", "src/test/resources/profiles/none.yaml",
                "AWS_REGION", "us-east-1",
                "AWS_ENDPOINT_URL", moto.endpoint(),
                "AWS_ENDPOINT_URL_AUTO_SCALING", autoScaling.baseUrl()), "run.log");
        try {
            LifecycleEvent first = hooks.get(0);
            Fixtures.awaitUntil("the first completion", PATIENCE, () -> completions(first.actionToken()) > 0);
            System.out.printf("java -jar to first completed hook: %d ms%n", (System.nanoTime() - started) / 1_000_000);

            for (LifecycleEvent hook : hooks) {
                Fixtures.awaitUntil("outcome of " + hook.describe(), PATIENCE, () -> "SUCCEEDED".equals(result(hook.idempotencyKey())));
            }
            Fixtures.awaitUntil("the intake queue to drain", PATIENCE, () -> depth(queueUrl) == 0);
            for (LifecycleEvent hook : hooks) {
                assertEquals(1, completions(hook.actionToken()), () -> "completions of " + hook.describe());
            }
            Message dead = awaitDeadLetter(deadLetterUrl);
            assertTrue(dead.messageAttributes().get("LifeguardReason").stringValue().contains("AutoScalingGroupName"));
            assertEquals(refusedId, dead.messageAttributes().get("LifeguardSourceMessageId").stringValue());
        } finally {
            lifeguard.destroy();
        }
        assertTrue(lifeguard.waitFor(40, TimeUnit.SECONDS), "SIGTERM stops Lifeguard within ECS's stop timeout");
    }

    @Test
    void withoutAQueueItExitsNonZeroNamingWhatToSet() throws Exception {
        Process lifeguard = startJar(Map.of("AWS_REGION", "us-east-1"), "unconfigured.log");
        assertTrue(lifeguard.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, lifeguard.exitValue());
        String output = Files.readString(LOGS.resolve("unconfigured.log"), StandardCharsets.UTF_8);
        assertTrue(output.contains("LIFEGUARD_QUEUE") && output.contains("LIFEGUARD_DEAD_LETTER_QUEUE"), output);
    }

    private static Process startJar(Map<String, String> environment, String logName) throws IOException {
        Map<String, String> settings = new java.util.HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "it", "AWS_SECRET_ACCESS_KEY", "it"));
        settings.putAll(environment);
        return Jar.start(settings, Path.of("."), logName);
    }

    private static int completions(String token) {
        return autoScaling.findAll(postRequestedFor(urlEqualTo("/"))
                .withRequestBody(containing("Action=CompleteLifecycleAction"))
                .withRequestBody(containing("LifecycleActionToken=" + token))).size();
    }

    private static String result(String key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName("jar-it").consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key)))).item();
        return item.containsKey("result") && item.containsKey("status") && item.get("status").s().equals("DONE")
                ? item.get("result").s() : null;
    }

    private static int depth(String queueUrl) {
        return sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings(
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings()
                .values().stream().mapToInt(Integer::parseInt).sum();
    }

    private static Message awaitDeadLetter(String deadLetterUrl) {
        List<Message> found = new ArrayList<>();
        Fixtures.awaitUntil("a dead letter", PATIENCE, () -> {
            found.addAll(sqs.receiveMessage(r -> r.queueUrl(deadLetterUrl).waitTimeSeconds(1).messageAttributeNames("All")).messages());
            return !found.isEmpty();
        });
        return found.get(0);
    }
}
