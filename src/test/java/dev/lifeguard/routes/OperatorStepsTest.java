package dev.lifeguard.routes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.lifeguard.Fixtures;
import dev.lifeguard.LifeguardConfiguration;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.local.LocalAws;
import dev.lifeguard.local.StandInBeans;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The README's edit of routes/on-launched.camel.yaml ("Adding your own Camel steps for one kind of
 * event"), made the way an operator makes it: the file is taken from the README itself, written
 * over on-launched.camel.yaml in a copy of routes/, and the real routes run from that copy against
 * ElasticMQ, DynamoDB Local and a WireMock SNS. The README cannot show an edit this test does not run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, OperatorStepsTest.MonitoringTopic.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=operator-steps-test",
            "lifeguard.dead-letter-queue=operator-steps-test-dlq",
            "lifeguard.table=operator-steps-test",
            "lifeguard.table.create=true",
            // No steps for any group: what is published comes from the route edit alone.
            "lifeguard.profiles=src/test/resources/profiles/none.yaml",
            "lifeguard.poll.wait-seconds=1",
            // A message that failed at intake comes back within seconds.
            "lifeguard.visibility-seconds=2",
            "camel.main.routes-include-pattern=file:target/operator-steps-test/routes/*.camel.yaml",
        })
class OperatorStepsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    static final Path ROUTES = Path.of("target/operator-steps-test/routes");
    static final String EDITED = "on-launched.camel.yaml";
    static final String BEGIN = "<!-- on-launched edit: begin -->";
    static final String END = "<!-- on-launched edit: end -->";
    /** The topic the README's edit publishes to, as it spells it. */
    static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:monitoring";
    /**
     * The trap the README warns of: an operator's filter that keeps some groups' terminating hooks
     * from engine.start. The engine must not hold such a hook until it times out.
     */
    static final String SKIPS_START = """
            - route:
                id: on-terminating
                routeConfigurationId: step-routes
                from:
                  uri: direct:on-terminating
                  steps:
                    - filter:
                        simple: "${body.groupName} startsWith 'left-alone-'"
                        steps:
                          - stop: {}
                    - bean:
                        ref: engine
                        method: start
            """;
    /** SNS for the edit's aws2-sns endpoint, which uses Lifeguard's own client (#snsClient). */
    static final WireMockServer SNS = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());

    // Camel Main reads the routes before any configuration class runs, so the copy, with the
    // README's edit in it, is made when the class loads.
    static {
        try {
            Files.createDirectories(ROUTES);
            try (Stream<Path> stale = Files.list(ROUTES)) {
                for (Path file : stale.toList()) {
                    Files.delete(file);
                }
            }
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, ROUTES.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.writeString(ROUTES.resolve(EDITED), readmeEdit(), StandardCharsets.UTF_8);
            Files.writeString(ROUTES.resolve("on-terminating.camel.yaml"), SKIPS_START, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SNS.start();
        SNS.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=Publish")).atPriority(5)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(
                        "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>"
                                + UUID.randomUUID() + "</MessageId></PublishResult><ResponseMetadata><RequestId>"
                                + UUID.randomUUID() + "</RequestId></ResponseMetadata></PublishResponse>")));
    }

    private final LocalAws aws = LocalAws.shared();

    /** Binds the SNS client the edit names, pointed at the WireMock SNS. */
    public static class MonitoringTopic implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            camelContext.getRegistry().bind("snsClient", SnsClient.class, SnsClient.builder()
                    .endpointOverride(URI.create(SNS.baseUrl())).region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("t", "t"))).build());
        }
    }

    @AfterAll
    void stop() {
        SNS.stop();
    }

    @Test
    void theReadmesEditKeepsEveryLineOfTheShippedRouteAndIsWhatRuns() throws IOException {
        List<String> shipped = Files.readAllLines(Path.of("routes", EDITED), StandardCharsets.UTF_8);
        List<String> edited = readmeEdit().lines().toList();
        // The edit only adds steps: the route id, its endpoint and engine.start stay as shipped.
        int at = 0;
        for (String line : shipped) {
            int found = edited.subList(at, edited.size()).indexOf(line);
            assertTrue(found >= 0, () -> "the README's edit of " + EDITED + " lost or moved the shipped line: " + line);
            at += found + 1;
        }
        assertTrue(edited.size() > shipped.size(), "the README's edit adds steps");
        assertEquals(readmeEdit(), Files.readString(ROUTES.resolve(EDITED), StandardCharsets.UTF_8));
    }

    @Test
    void theEditPublishesEachLaunchToTheTopicAndTheLaunchIsHandledAsUsual() {
        String group = "web-" + UUID.randomUUID().toString().substring(0, 8);
        String body = launchOf(group);
        LifecycleEvent event = Fixtures.parse(body);
        send(body);

        Map<String, AttributeValue> outcome = awaitOutcome(event.idempotencyKey());
        assertEquals("on-launched", outcome.get("route").s());
        assertEquals("LAUNCHED", outcome.get("kind").s());
        List<Map<String, String>> published = publishedAbout(group);
        assertEquals(1, published.size(), "one line published for the launch");
        assertEquals(TOPIC, published.get(0).get("TopicArn"));
        assertEquals(event.describe(), published.get(0).get("Message"), "the line is the event's description");
        // Given an ARN and autoCreateTopic=false the component only publishes, so sns:Publish is
        // the one permission the README names.
        assertTrue(SNS.getAllServeEvents().stream().allMatch(e -> e.getRequest().getBodyAsString().contains("Action=Publish")),
                "nothing but Publish was asked of SNS");
        Fixtures.awaitUntil("the launch's message deleted", PATIENCE, () -> queueDepth() == 0);
    }

    @Test
    void aRefusedPublishBringsTheMessageBackAndItsNextDeliveryGoesThrough() {
        String group = "refusing-" + UUID.randomUUID().toString().substring(0, 8);
        // The topic refuses the first publish for this group (a task role without sns:Publish, say).
        SNS.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=Publish")).withRequestBody(containing(group))
                .atPriority(1).inScenario(group).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("refused once")
                .willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml").withBody(
                        "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
                                + "<Code>AuthorizationError</Code><Message>not authorized to perform: SNS:Publish</Message>"
                                + "</Error><RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>")));
        String body = launchOf(group);
        LifecycleEvent event = Fixtures.parse(body);
        send(body);

        // The second publish can only happen if intake let go of the event after the first failed,
        // which it does only when the edit's doFinally has put the event back in the body.
        Map<String, AttributeValue> outcome = awaitOutcome(event.idempotencyKey());
        assertEquals("on-launched", outcome.get("route").s());
        List<Map<String, String>> published = publishedAbout(group);
        assertEquals(2, published.size(), "refused on the first delivery, published on the second");
        assertEquals(event.describe(), published.get(0).get("Message"));
        assertEquals(event.describe(), published.get(1).get("Message"));
        // The headers go along as message attributes: the receive counts show a redelivery.
        assertEquals("1", attribute(published.get(0), "ApproximateReceiveCount"));
        assertEquals("2", attribute(published.get(1), "ApproximateReceiveCount"));
        Fixtures.awaitUntil("the launch's message deleted", PATIENCE, () -> queueDepth() == 0);
    }

    @Test
    void aHookWhoseRouteNeverCallsEngineStartIsStillConfirmedCompletedAndRecorded() {
        String group = "left-alone-" + UUID.randomUUID().toString().substring(0, 8);
        String body = Fixtures.fresh(Fixtures.read("hook-terminating.json")).replace("exampleAutoScalingGroup", group);
        LifecycleEvent hook = Fixtures.parse(body);
        send(body);

        // It ends as an event with no steps: confirmed with Auto Scaling, completed, recorded, deleted.
        Map<String, AttributeValue> outcome = awaitOutcome(hook.idempotencyKey());
        assertEquals("CONTINUE", outcome.get("hookResult").s());
        assertTrue(!aws.actions().isLive(hook.actionToken()), "the hook was completed, not left to time out");
        Fixtures.awaitUntil("the hook's message deleted", PATIENCE, () -> queueDepth() == 0);
    }

    /** The file between the README's markers, inside its yaml fence. */
    static String readmeEdit() {
        String readme;
        try {
            readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new AssertionError("README.md has no edit of " + EDITED + " between " + BEGIN + " and " + END);
        }
        String block = readme.substring(begin + BEGIN.length(), end).strip();
        if (!block.startsWith("```yaml\n") || !block.endsWith("\n```")) {
            throw new AssertionError("the README's edit of " + EDITED + " is not one yaml block");
        }
        return block.substring("```yaml\n".length(), block.length() - "```".length());
    }

    /** A fresh launch notification for a group of its own. */
    private static String launchOf(String group) {
        return Fixtures.fresh(Fixtures.read("notification-launch.json")).replace("nomad-clients", group);
    }

    private void send(String body) {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("operator-steps-test")).queueUrl();
        aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(aws.actions().sent(body)));
    }

    /** The Publish requests SNS received about the group, as form parameters, oldest first. */
    private static List<Map<String, String>> publishedAbout(String group) {
        return SNS.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=Publish"))
                .withRequestBody(containing(group))).stream().map(Fixtures::form).toList();
    }

    /** A message attribute of a Publish request, by name. */
    private static String attribute(Map<String, String> form, String name) {
        for (int i = 1; form.containsKey("MessageAttributes.entry." + i + ".Name"); i++) {
            if (form.get("MessageAttributes.entry." + i + ".Name").equals(name)) {
                return form.get("MessageAttributes.entry." + i + ".Value.StringValue");
            }
        }
        return null;
    }

    private Map<String, AttributeValue> awaitOutcome(String key) {
        Fixtures.awaitUntil(key + " recorded as SUCCEEDED", PATIENCE, () -> {
            Map<String, AttributeValue> item = item(key);
            return item.containsKey("result") && item.get("result").s().equals("SUCCEEDED")
                    && (!item.containsKey("status") || !item.get("status").s().equals("CLAIMED"));
        });
        return item(key);
    }

    private Map<String, AttributeValue> item(String key) {
        return aws.dynamoDb().getItem(r -> r.tableName("operator-steps-test").consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS(key)))).item();
    }

    private int queueDepth() {
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("operator-steps-test")).queueUrl();
        Map<QueueAttributeName, String> attributes = aws.sqs().getQueueAttributes(r -> r.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
