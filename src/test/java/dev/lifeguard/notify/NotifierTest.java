package dev.lifeguard.notify;

import dev.lifeguard.profiles.NotifySpec;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.lifeguard.Fixtures;
import dev.lifeguard.MovingClock;
import dev.lifeguard.engine.Inbound;
import dev.lifeguard.engine.Finishing;
import dev.lifeguard.engine.Verdict;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.MotoServer;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Notifications over the wire: published through routes/notify.camel.yaml's camel-aws2-sns
 * endpoint to moto_server's SNS and read back from a subscribed SQS queue, posted to a WireMock
 * webhook, failing without changing anything, and dropped over the rate limit (a moving clock,
 * no sleeps). Sends run on the calling thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifierTest {
    private static final String REGION = "us-east-1";
    private static final String MISSING_TOPIC = "arn:aws:sns:us-east-1:123456789012:no-such-topic";

    private MotoServer moto;
    private WireMockServer webhook;
    private CamelContext camel;
    private SnsClient sns;
    private SqsClient sqs;
    private String topicArn;
    private String queueUrl;
    @TempDir
    Path dir;
    private MovingClock clock;
    private LifeguardMetrics metrics;

    @BeforeAll
    void start() throws Exception {
        moto = MotoServer.start(Path.of("target/notify-moto.log"));
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
        sns = SnsClient.builder().region(Region.of(REGION)).credentialsProvider(credentials)
                .endpointOverride(URI.create(moto.endpoint())).build();
        sqs = SqsClient.builder().region(Region.of(REGION)).credentialsProvider(credentials)
                .endpointOverride(URI.create(moto.endpoint())).build();
        topicArn = sns.createTopic(r -> r.name("lifeguard-news")).topicArn();
        queueUrl = sqs.createQueue(r -> r.queueName("chat")).queueUrl();
        String queueArn = sqs.getQueueAttributes(r -> r.queueUrl(queueUrl).attributeNamesWithStrings("QueueArn"))
                .attributesAsStrings().get("QueueArn");
        sns.subscribe(r -> r.topicArn(topicArn).protocol("sqs").endpoint(queueArn).attributes(Map.of("RawMessageDelivery", "true")));

        webhook = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        webhook.start();

        camel = new DefaultCamelContext();
        camel.getRegistry().bind("snsClient", sns);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.resolveResource(camel, "file:routes/notify.camel.yaml"));
        camel.start();
    }

    @AfterAll
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        if (webhook != null) {
            webhook.stop();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @BeforeEach
    void fresh() {
        webhook.resetAll();
        clock = new MovingClock();
        metrics = LifeguardMetrics.none();
    }

    private Notifier notifier(String profiles) throws IOException {
        Path file = dir.resolve("profiles-" + System.nanoTime() + ".yaml");
        Files.writeString(file, profiles, StandardCharsets.UTF_8);
        ProfileStore store = new ProfileStore(file, new ProfileLoader(Map.of()), clock);
        return new Notifier(store, camel.createProducerTemplate(), HttpClient.newHttpClient(), Runnable::run, metrics, clock);
    }

    private static Verdict terminating(Outcome result, HookResult hookResult) {
        LifecycleEvent event = Fixtures.parse(Fixtures.read("hook-terminating.json"));
        StepsReport report = StepsReport.of("on-terminating", List.of(
                new StepResult("nomad-drain", "ssm-command", "SUCCEEDED", 1200, "drained", false)));
        return new Verdict(event, new Inbound("m", new dev.lifeguard.aws.Receipt("q", "r"), 1, "{}", null), result, report, hookResult, null, true);
    }

    private double count(String target, String outcome) {
        Counter counter = metrics.registry().find("lifeguard.notifications").tags("target", target, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private String webhookUrl() {
        return "http://127.0.0.1:" + webhook.port() + "/hook";
    }

    @Test
    void aNotificationPublishedToSnsArrivesInTheSubscribedQueue() throws Exception {
        Notifier notifier = notifier("""
                default:
                  notify:
                    terminating:
                      - sns: %s
                """.formatted(topicArn));
        notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, true));

        List<Message> received = sqs.receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(5).maxNumberOfMessages(10)).messages();
        assertEquals(1, received.size());
        assertEquals("Lifeguard: terminating of i-883a3a42 in exampleAutoScalingGroup: SUCCEEDED, hook completed with CONTINUE."
                + " nomad-drain SUCCEEDED in 1200 ms: drained", received.get(0).body());
        sqs.deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(received.get(0).receiptHandle()));
        assertEquals(1, count("sns", "sent"));
    }

    @Test
    void aWebhookGetsExactlyTheTextAsJson() throws Exception {
        webhook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        Notifier notifier = notifier("""
                default:
                  notify:
                    terminating:
                      - webhook: %s
                        message: "{group} \\"{instanceId}\\" {outcome} ({hookResult}, {kind}) {error}"
                """.formatted(webhookUrl()));
        notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, true));

        webhook.verify(1, postRequestedFor(urlEqualTo("/hook"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{\"text\": \"exampleAutoScalingGroup \\\"i-883a3a42\\\" SUCCEEDED,"
                        + " hook completed with CONTINUE (CONTINUE, terminating) -\"}", false, false)));
        String body = webhook.getAllServeEvents().get(0).getRequest().getBodyAsString();
        assertEquals(Map.of("text", "exampleAutoScalingGroup \"i-883a3a42\" SUCCEEDED, hook completed with CONTINUE"
                + " (CONTINUE, terminating) -"), new ObjectMapper().readValue(body, Map.class));
        assertEquals(1, count("webhook", "sent"));
    }

    @Test
    void failedTargetsAreCountedAndChangeNothing() throws Exception {
        webhook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(500)));
        Notifier notifier = notifier("""
                default:
                  notify:
                    terminating:
                      - sns: %s
                      - webhook: %s
                """.formatted(MISSING_TOPIC, webhookUrl()));
        Verdict verdict = terminating(Outcome.GAVE_UP, HookResult.ABANDON);
        notifier.after(Finishing.done(verdict, HookResult.ABANDON, true));

        assertEquals(1, count("sns", "failed"));
        assertEquals(1, count("webhook", "failed"));
        assertEquals(0, count("sns", "sent") + count("webhook", "sent"));
        // One try each, no retry.
        webhook.verify(1, postRequestedFor(urlEqualTo("/hook")));
        assertEquals(HookResult.ABANDON, verdict.hookResult());
    }

    @Test
    void retriesAndOtherOutcomesAreNotNotifiedUnlessAsked() throws Exception {
        webhook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        Notifier notifier = notifier("""
                default:
                  notify:
                    terminating:
                      - webhook: %s
                    launching:
                      - webhook: %s
                        results: [retrying]
                """.formatted(webhookUrl(), webhookUrl()));
        notifier.after(Finishing.done(terminating(Outcome.RETRYING, null), null, true));
        // The claim was taken over: the other worker reports.
        notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, false));
        webhook.verify(0, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void theExcessOverTheRateLimitIsDroppedAndCounted() throws Exception {
        webhook.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
        Notifier notifier = notifier("""
                default:
                  notify:
                    terminating:
                      - webhook: %s
                        per-minute: 2
                """.formatted(webhookUrl()));
        for (int i = 0; i < 5; i++) {
            notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, true));
        }
        assertEquals(2, count("webhook", "sent"));
        assertEquals(3, count("webhook", "dropped"));

        // Two a minute: one more after half a minute, then none until the next.
        clock.advance(Duration.ofSeconds(30));
        notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, true));
        notifier.after(Finishing.done(terminating(Outcome.SUCCEEDED, HookResult.CONTINUE), HookResult.CONTINUE, true));
        assertEquals(3, count("webhook", "sent"));
        assertEquals(4, count("webhook", "dropped"));
        webhook.verify(3, postRequestedFor(urlEqualTo("/hook")));
    }

    @Test
    void longMessagesAreCutWithAMark() {
        NotifySpec chat = new NotifySpec(NotifySpec.Target.WEBHOOK, "https://chat.example.com/x", "m", 30, 40, NotifySpec.DEFAULT_RESULTS);
        String cut = Notifier.bounded("x".repeat(100), chat);
        assertEquals(40, cut.length());
        assertTrue(cut.endsWith(" …[cut]"), cut);
        NotifySpec topic = new NotifySpec(NotifySpec.Target.SNS, MISSING_TOPIC, "m", 30, NotifySpec.SNS_MAX_BYTES,
                NotifySpec.DEFAULT_RESULTS);
        String wide = Notifier.bounded("€".repeat(NotifySpec.SNS_MAX_BYTES), topic);
        assertTrue(wide.getBytes(StandardCharsets.UTF_8).length <= NotifySpec.SNS_MAX_BYTES);
        assertTrue(wide.endsWith(" …[cut]"));
        assertEquals("short", Notifier.bounded("short", chat));
    }

    @Test
    void targetsAreCheckedWhenTheProfileLoads() {
        Map<String, String> mistakes = Map.of(
                "sns: arn:aws:sqs:us-east-1:123456789012:q", "is not an SNS topic ARN",
                "sns: arn:aws:sns:us-east-1:123456789012:news.fifo", "FIFO",
                "webhook: http://chat.example.com/hook", "must use https",
                "webhook: https://user:secret@chat.example.com/hook", "user:password",
                "{webhook: 'https://chat.example.com/x', message: '{privateIp}'}", "not available to notifications",
                "{webhook: 'https://chat.example.com/x', message: '{nope}'}", "unknown placeholder {nope}",
                "{webhook: 'https://chat.example.com/x', per-minute: 0}", "per-minute",
                "{webhook: 'https://chat.example.com/x', results: [DONE]}", "results",
                "{webhook: 'https://chat.example.com/x', sns: '" + MISSING_TOPIC + "'}", "exactly one");
        mistakes.forEach((target, reason) -> {
            ProfileLoader.InvalidProfilesException e = assertThrows(ProfileLoader.InvalidProfilesException.class, () -> {
                Path file = dir.resolve("bad.yaml");
                Files.writeString(file, "default:\n  notify:\n    terminated:\n      - " + target + "\n");
                new ProfileLoader(Map.of()).load(file);
            }, target);
            assertTrue(e.getMessage().contains(reason) && e.getMessage().contains("notify.terminated[0]"), e.getMessage());
            assertTrue(!e.getMessage().contains("secret"), "a webhook URL is never repeated: " + e.getMessage());
        });
    }
}
