package dev.lifeguard.steps.salt;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.lifeguard.steps.salt.SaltApiStandIn.FAR_EXPIRE;
import static dev.lifeguard.steps.salt.SaltApiStandIn.PASSWORD;
import static dev.lifeguard.steps.salt.SaltApiStandIn.TOKEN;
import static dev.lifeguard.steps.salt.SaltApiStandIn.loginAnswer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The salt-api transport under the whole service: launching hooks through the real routes, the
 * engine and a salt-api stand-in that forgets every token it issued before the first request
 * with it arrives (a Salt master restarting between one event's login and its first request).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@CamelMainTest(
        configurationClasses = {StandInBeans.class, LifeguardConfiguration.class},
        propertyPlaceholderLocations = "file:config/application.properties",
        properties = {
            "lifeguard.queue=saltapi-hooks",
            "lifeguard.dead-letter-queue=saltapi-hooks-dlq",
            "lifeguard.table=saltapi-hooks",
            "lifeguard.table.create=true",
            "lifeguard.profiles=" + SaltApiHooksTest.PROFILES,
            "lifeguard.poll.wait-seconds=1",
            "lifeguard.visibility-seconds=5",
            "lifeguard.max-attempts=3",
        })
class SaltApiHooksTest {
    static final String PROFILES = "target/saltapi-hooks-profiles.yaml";
    private static final String FORGOTTEN = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";
    private static final String GROUP = "salt-api-launches";
    private static final int LAUNCHES = 5;
    /** Started before the service, whose profiles name its address. */
    private static final SaltApiStandIn SALT = startWithProfiles();

    private final LocalAws aws = LocalAws.shared();

    private static SaltApiStandIn startWithProfiles() {
        SaltApiStandIn salt = SaltApiStandIn.start();
        try {
            Path password = Path.of("target/saltapi-hooks-password").toAbsolutePath();
            Files.writeString(password, PASSWORD, StandardCharsets.UTF_8);
            Files.writeString(Path.of(PROFILES), String.join("\n",
                    "default:",
                    "  steps: {}",
                    "groups:",
                    "  - match: " + GROUP,
                    "    on-failure:",
                    "      launching: ABANDON",
                    "    steps:",
                    "      launching:",
                    "        - type: salt-accept",
                    "          transport: api",
                    "          url: " + salt.wire.baseUrl(),
                    "          eauth: pam",
                    "          username: lifeguard",
                    "          password: file:" + password,
                    "          poll-interval: 1",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return salt;
    }

    @AfterAll
    void stop() {
        SALT.stop();
    }

    @Test
    void aSaltMasterRestartBetweenTheLoginAndTheFirstRequestsAbandonsNoLaunch() {
        SALT.wire.stubFor(SALT.login().inScenario("restart").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(loginAnswer(FORGOTTEN, FAR_EXPIRE)).willSetStateTo("restarted"));
        SALT.wire.stubFor(SALT.login().inScenario("restart").whenScenarioStateIs("restarted")
                .willReturn(loginAnswer(TOKEN, FAR_EXPIRE)).willSetStateTo("renewed"));
        SALT.wire.stubFor(post(urlEqualTo("/")).withHeader("X-Auth-Token", equalTo(FORGOTTEN))
                .willReturn(aResponse().withStatus(401).withBody("<html>401 Unauthorized</html>")));
        List<LifecycleEvent> hooks = new ArrayList<>();
        String queueUrl = aws.sqs().getQueueUrl(r -> r.queueName("saltapi-hooks")).queueUrl();
        for (int i = 0; i < LAUNCHES; i++) {
            String instance = "i-0123456789abcde" + i + "0";
            LifecycleEvent hook = Fixtures.parse(Fixtures.fresh(Fixtures.read("hook-launching.json")));
            String body = Fixtures.fresh(Fixtures.read("hook-launching.json"))
                    .replace(hook.groupName(), GROUP).replace(hook.instanceId(), instance);
            hooks.add(Fixtures.parse(body));
            SALT.stubLaunch(GROUP + "-" + instance, "2026120117010212345" + i);
            aws.actions().sent(body);
            aws.sqs().sendMessage(r -> r.queueUrl(queueUrl).messageBody(body));
        }

        for (LifecycleEvent hook : hooks) {
            Map<String, AttributeValue> outcome = awaitOutcome(hook.idempotencyKey());
            assertEquals("SUCCEEDED", outcome.get("result").s(), () -> outcome.toString());
            assertEquals("1", outcome.get("attempts").n(), "no attempt was lost to the restart");
            List<LoggedRequest> completions = aws.autoScaling().findAll(postRequestedFor(urlEqualTo("/"))
                    .withRequestBody(containing("Action=CompleteLifecycleAction"))
                    .withRequestBody(containing("LifecycleActionToken=" + hook.actionToken())));
            assertEquals(1, completions.size(), "completed once");
            assertEquals("CONTINUE", Fixtures.form(completions.get(0)).get("LifecycleActionResult"));
        }
        List<ServeEvent> served = SALT.served();
        int firstRefusal = 0;
        while (served.get(firstRefusal).getResponse().getStatus() != 401) {
            firstRefusal++;
        }
        assertEquals(1, served.subList(0, firstRefusal).stream().filter(SaltApiHooksTest::isLogin).count(), "logins before the restart");
        assertEquals(1, served.subList(firstRefusal, served.size()).stream().filter(SaltApiHooksTest::isLogin).count(),
                "logins after it");
    }

    private static boolean isLogin(ServeEvent event) {
        return event.getRequest().getUrl().equals("/login");
    }

    private Map<String, AttributeValue> awaitOutcome(String key) {
        Map<String, AttributeValue>[] item = new Map[1];
        Fixtures.awaitUntil(key + " finished", Duration.ofSeconds(60), () -> {
            item[0] = aws.dynamoDb().getItem(r -> r.tableName("saltapi-hooks").consistentRead(true)
                    .key(Map.of("pk", AttributeValue.fromS(key)))).item();
            return item[0].containsKey("status") && item[0].get("status").s().equals("DONE");
        });
        return item[0];
    }
}
