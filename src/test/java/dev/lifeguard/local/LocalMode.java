package dev.lifeguard.local;

import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.RefusedMessageException;
import dev.lifeguard.log.LogFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Local mode: Lifeguard with no AWS account. Starts the stand-ins, runs the real application
 * (routes from ./routes, settings from ./config, dry-run steps), sends every file in ./samples
 * through the real intake queue, prints what happened to each, then keeps running so that
 * more events can be sent with {@code aws --endpoint-url}. {@code once} (or {@code --once}) stops after the summary.
 */
public final class LocalMode {
    static final String QUEUE = "lifeguard-local";
    static final String DEAD_LETTER_QUEUE = "lifeguard-local-dlq";
    static final String TABLE = "lifeguard-local";

    public static void main(String[] args) throws Exception {
        // Local mode is for a person reading along: text, unless LIFEGUARD_LOG_FORMAT says otherwise.
        LogFormat.select(Path.of("config", "application.properties"), LogFormat.TEXT);
        boolean once = List.of(args).contains("--once") || List.of(args).contains("once");
        int sqsPort = Integer.parseInt(System.getenv().getOrDefault("LIFEGUARD_LOCAL_SQS_PORT", "9324"));
        LocalAws aws = LocalAws.shared(sqsPort);

        Main main = new Main();
        main.configure().addConfiguration(StandInBeans.class);
        main.configure().addConfiguration(LifeguardConfiguration.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.addOverrideProperty("lifeguard.queue", QUEUE);
        main.addOverrideProperty("lifeguard.dead-letter-queue", DEAD_LETTER_QUEUE);
        main.addOverrideProperty("lifeguard.table", TABLE);
        main.addOverrideProperty("lifeguard.table.create", "true");
        main.addOverrideProperty("lifeguard.dry-run", "true");
        // The example profiles, so that every sample shows the steps its group would run.
        main.addOverrideProperty("lifeguard.profiles", "examples/profiles.yaml");
        main.addOverrideProperty("lifeguard.max-attempts", "3");
        main.addOverrideProperty("lifeguard.visibility-seconds", "5");
        // Short polls so that Ctrl-C stops at once; in production a 20 s poll is cheaper.
        main.addOverrideProperty("lifeguard.poll.wait-seconds", "2");
        // The status page, health and metrics on this machine only, with Camel's developer console
        // (lifeguard among its consoles), which production leaves off.
        main.addOverrideProperty("camel.management.host", "127.0.0.1");
        main.addOverrideProperty("camel.main.dev-console-enabled", "true");
        main.addOverrideProperty("camel.management.dev-console-enabled", "true");
        CountDownLatch started = new CountDownLatch(1);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport support) {
                started.countDown();
            }
        });
        Thread service = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                e.printStackTrace();
                System.exit(1);
            }
        }, "lifeguard-main");
        service.start();
        started.await();

        int port = main.getCamelContext().getPropertiesComponent().resolveProperty("lifeguard.health.port")
                .map(Integer::parseInt).orElse(0);
        if (port > 0) {
            System.out.printf("%nopen http://127.0.0.1:%d/%n  the events below as they go by; health at /observe/health,"
                    + " metrics at /observe/metrics, Camel's console at /q/dev/lifeguard%n%n", port);
        }
        try {
            Map<String, Path> sent = sendSamples(aws);
            awaitDrained(aws, Duration.ofSeconds(60));
            printSummary(aws, sent);
        } catch (Exception e) {
            main.completed();
            throw e;
        }

        if (once) {
            main.completed();
            service.join();
            System.exit(0);
        }
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName(QUEUE)).queueUrl();
        System.out.printf("%nLifeguard keeps running in local mode. Send your own events with:%n"
                + "  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region %s --endpoint-url %s \\%n"
                + "    sqs send-message --queue-url %s --message-body file://samples/02-hook-launching.json%n"
                + "Refused messages land in %s. Press Ctrl-C to stop.%n",
                LocalAws.REGION, aws.sqsEndpoint(), queueUrl, DEAD_LETTER_QUEUE);
        service.join();
    }

    private static Map<String, Path> sendSamples(LocalAws aws) throws IOException {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName(QUEUE)).queueUrl();
        Map<String, Path> sent = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(Path.of("samples"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                String body = sentNow(Files.readString(file, StandardCharsets.UTF_8));
                // The stand-in Auto Scaling knows the sample hooks' actions, as AWS knows the hooks it
                // sends; a forged sample is one put on the queue by someone else, which it does not know.
                if (!file.getFileName().toString().contains("forged")) {
                    aws.actions().sent(body);
                }
                sent.put(aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body)).messageId(), file);
            }
        }
        return sent;
    }

    /**
     * The sample as Auto Scaling would send it now: its time (top level, or inside an SNS message)
     * set to the present, so that the status page counts each hook's global timeout from now.
     */
    static String sentNow(String body) {
        return TIME.matcher(body).replaceAll("$1" + Instant.now());
    }

    /** "Time": "…", or \"Time\":\"…\" inside an SNS envelope's Message; EventBridge spells it "time". */
    private static final Pattern TIME = Pattern.compile("(\\\\?\"[Tt]ime\\\\?\"\\s*:\\s*\\\\?\")[^\"\\\\]*");

    /** Waits until every sample has been handled and deleted from the intake queue. */
    private static void awaitDrained(LocalAws aws, Duration patience) throws InterruptedException {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName(QUEUE)).queueUrl();
        Instant deadline = Instant.now().plus(patience);
        while (Instant.now().isBefore(deadline)) {
            Map<QueueAttributeName, String> attributes = aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            if (attributes.values().stream().allMatch("0"::equals)) {
                return;
            }
            Thread.sleep(200);
        }
        System.out.println("Some samples were still on the queue after " + patience.toSeconds() + " s; see the log above.");
    }

    private static void printSummary(LocalAws aws, Map<String, Path> sent) {
        EventParser parser = new EventParser();
        System.out.printf("%nWhat happened to each sample:%n");
        for (Map.Entry<String, Path> entry : sent.entrySet()) {
            String sample = entry.getValue().getFileName().toString();
            String key;
            String kind;
            try {
                LifecycleEvent event = parser.parse(read(entry.getValue()), entry.getKey());
                key = event.idempotencyKey();
                kind = event.kind().name();
            } catch (RefusedMessageException e) {
                key = "refused#" + entry.getKey();
                kind = "-";
            }
            String finalKey = key;
            Map<String, AttributeValue> item = aws.dynamoDb().getItem(r -> r.tableName(TABLE).consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(finalKey)))).item();
            String result = text(item, "result", kind.equals("TEST_NOTIFICATION") ? "ACKED" : "PENDING");
            String did = item.isEmpty() ? "acknowledged and deleted; nothing to run or complete"
                    : item.containsKey("lastError") && !result.equals("SUCCEEDED") ? text(item, "lastError", "")
                    : text(item, "steps", "") + (item.containsKey("hookResult") ? "; CompleteLifecycleAction " + text(item, "hookResult", "") : "");
            System.out.printf("%n  %-46s %-17s %s%n      %s%n", sample, kind, result, did);
        }
        int completions = aws.autoScaling().getAllServeEvents().size();
        System.out.printf("%nAuto Scaling stand-in answered %d call(s); outcomes are in DynamoDB table %s.%n", completions, TABLE);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String text(Map<String, AttributeValue> item, String name, String fallback) {
        AttributeValue value = item.get(name);
        return value == null || value.s() == null ? fallback : value.s();
    }
}
