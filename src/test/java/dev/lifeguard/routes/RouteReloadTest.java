package dev.lifeguard.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * With lifeguard.routes.reload=true, an edited route file takes effect without a restart and
 * the other routes, Java ones included, keep running. Works on a copy of routes/.
 */
@CamelMainTest(
        configurationClasses = {RouteReloadTest.JavaRoute.class, StandInBeans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=reload-test",
            "lifeguard.dead-letter-queue=reload-test-dlq",
            "lifeguard.table=reload-test",
            "lifeguard.table.create=true",
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.routes.reload=true",
            "lifeguard.profiles=src/test/resources/profiles/none.yaml",
            "camel.main.routes-include-pattern=file:target/reload-test/routes/*.camel.yaml",
            "camel.main.routes-reload-directory=target/reload-test/routes",
        })
class RouteReloadTest {
    static final Path COPY = Path.of("target/reload-test/routes");

    @BeanInject
    CamelContext context;

    // The copy must exist before Camel Main sets up the file watcher, which is before any
    // configuration class runs.
    static {
        try {
            Files.createDirectories(COPY);
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, COPY.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a Java DSL route next to the YAML ones. */
    public static class JavaRoute implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) throws Exception {
            camelContext.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:java-route").routeId("java-route").log("a Java DSL route");
                }
            });
        }
    }

    @Test
    void anEditedRouteFileTakesEffectAndOtherRoutesStay() throws Exception {
        int routes = context.getRoutes().size();
        Path file = COPY.resolve("on-launched.camel.yaml");
        String original = Files.readString(file, StandardCharsets.UTF_8);
        // The edit copies every launch notification to a queue of its own before starting it.
        String marker = "reload-test-edited";
        aws().createQueue(marker, 30);
        Files.writeString(file, original.replace("        - bean:\n            ref: engine",
                "        - wireTap:\n            uri: \"aws2-sqs:" + marker + "?amazonSQSClient=#sqsClient\"\n"
                        + "        - bean:\n            ref: engine"), StandardCharsets.UTF_8);

        LocalAws aws = LocalAws.shared();
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("reload-test")).queueUrl();
        String markerUrl = aws.sqs().getQueueUrl(r -> r.queueName(marker)).queueUrl();
        // Send until an event goes through the edited route: the file watcher has no completion signal.
        Fixtures.awaitUntil("the edited route to handle an event", Duration.ofSeconds(30), () -> {
            String body = Fixtures.fresh(Fixtures.read("notification-launch.json"));
            LifecycleEvent event = Fixtures.parse(body);
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
            awaitRoute(aws, event.idempotencyKey());
            return aws.sqs().receiveMessage(r -> r.queueUrl(markerUrl).waitTimeSeconds(1).maxNumberOfMessages(10)).messages()
                    .stream().anyMatch(m -> m.body().contains(event.requestId()));
        });
        assertEquals(routes, context.getRoutes().size(), "no route was lost in the reload");
        assertNotNull(context.getRoute("java-route"), "Java DSL routes survive a reload");
        assertTrue(context.getRouteController().getRouteStatus("sqs-intake").isStarted());
    }

    /**
     * routes/intake.camel.yaml is a route template, its routes made from it once per queue at
     * start-up: a reload of the file must not take them away. The edit waits for a restart (as
     * the README says); the watcher handles files one after the other, so once a later edit of
     * another file is live, the intake's has been seen.
     */
    @Test
    void anEditedIntakeTemplateLeavesTheQueuesReadAsTheyWereUntilARestart() throws Exception {
        String intakeMarker = "reload-test-intake-edited";
        aws().createQueue(intakeMarker, 30);
        Path intake = COPY.resolve("intake.camel.yaml");
        String original = Files.readString(intake, StandardCharsets.UTF_8);
        String edited = original.replace("          - setProperty:\n              name: LifeguardRawBody",
                "          - wireTap:\n              uri: \"aws2-sqs:" + intakeMarker + "?amazonSQSClient=#sqsClient\"\n"
                        + "          - setProperty:\n              name: LifeguardRawBody");
        assertNotEquals(original, edited, "the edit applies to routes/intake.camel.yaml");
        Files.writeString(intake, edited, StandardCharsets.UTF_8);
        String laterMarker = "reload-test-after-intake";
        aws().createQueue(laterMarker, 30);
        Path onLaunched = COPY.resolve("on-launched.camel.yaml");
        Files.writeString(onLaunched, Files.readString(onLaunched, StandardCharsets.UTF_8).replace("        - bean:\n            ref: engine",
                "        - wireTap:\n            uri: \"aws2-sqs:" + laterMarker + "?amazonSQSClient=#sqsClient\"\n"
                        + "        - bean:\n            ref: engine"), StandardCharsets.UTF_8);

        LocalAws aws = LocalAws.shared();
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("reload-test")).queueUrl();
        String laterUrl = aws.sqs().getQueueUrl(r -> r.queueName(laterMarker)).queueUrl();
        Fixtures.awaitUntil("the later edit to be live", Duration.ofSeconds(30), () -> {
            String body = Fixtures.fresh(Fixtures.read("notification-launch.json"));
            LifecycleEvent event = Fixtures.parse(body);
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
            awaitRoute(aws, event.idempotencyKey());
            return aws.sqs().receiveMessage(r -> r.queueUrl(laterUrl).waitTimeSeconds(1).maxNumberOfMessages(10)).messages()
                    .stream().anyMatch(m -> m.body().contains(event.requestId()));
        });
        assertTrue(context.getRouteController().getRouteStatus("sqs-intake").isStarted(), "the queue is still read");
        String intakeUrl = aws.sqs().getQueueUrl(r -> r.queueName(intakeMarker)).queueUrl();
        assertEquals(List.of(), aws.sqs().receiveMessage(r -> r.queueUrl(intakeUrl).waitTimeSeconds(1)).messages(),
                "the intake runs as it started until a restart");
    }

    private static LocalAws aws() {
        return LocalAws.shared();
    }

    /** The route recorded in the event's outcome. */
    private static String awaitRoute(LocalAws aws, String key) {
        String[] steps = new String[1];
        Fixtures.awaitUntil("outcome of " + key, Duration.ofSeconds(10), () -> {
            Map<String, AttributeValue> item = aws.dynamoDb().getItem(r -> r.tableName("reload-test").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(key)))).item();
            if (item.containsKey("route")) {
                steps[0] = item.get("route").s();
                return true;
            }
            return false;
        });
        return steps[0];
    }
}
