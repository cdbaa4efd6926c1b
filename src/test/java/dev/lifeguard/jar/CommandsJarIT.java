package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.local.LocalDynamoDbServer;
import dev.lifeguard.steps.StepResult;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.OutcomeRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * {@code java -jar lifeguard.jar history …} and {@code plan …} as an operator runs them: the
 * commands are wired in main, read the same settings as the service (LIFEGUARD_TABLE, the SDK's
 * AWS_ENDPOINT_URL_DYNAMODB) and exit without starting the service (no queue is configured).
 */
class CommandsJarIT {

    @Test
    void historyAndPlanRunFromTheJarAndExit() throws Exception {
        String table = "commands-it";
        String instance = "i-0a1b2c3d4e5f60718";
        try (LocalDynamoDbServer server = LocalDynamoDbServer.start();
             DynamoDbClient dynamoDb = DynamoDbClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"))).build()) {
            LifeguardTable.ensureExists(dynamoDb, table, true);
            String body = Files.readString(Path.of("samples/03-sns-hook-terminating.json"), StandardCharsets.UTF_8)
                    .replace("i-dd0219d4c359b15db", instance);
            LifecycleEvent event = new EventParser().parse(body, "it");
            Clock clock = Clock.systemUTC();
            new Claims(dynamoDb, table, "it-worker", Duration.ofMinutes(5), Duration.ofDays(30), clock).claim(event);
            new OutcomeRecorder(dynamoDb, table, "it-worker", false, Duration.ofDays(30), clock).finish(event,
                    Outcome.SUCCEEDED, StepsReport.of("on-terminating", List.of(new StepResult("nomad-drain", "ssm-command",
                            "SUCCEEDED", 41_000, "Success commandId=c-9: drained", false))), HookResult.CONTINUE, null, true);

            Map<String, String> env = new HashMap<>(Map.of(
                    "AWS_ACCESS_KEY_ID", "it", "AWS_SECRET_ACCESS_KEY", "it", "AWS_REGION", "us-east-1",
                    "AWS_ENDPOINT_URL_DYNAMODB", server.endpoint().toString(), "LIFEGUARD_TABLE", table,
                    "LIFEGUARD_PROFILES", "examples/profiles.yaml"));
            String history = run(env, "commands-history.log", "history", instance);
            assertTrue(history.contains("History of instance " + instance + " in table " + table + ": 1 record, oldest first."), history);
            assertTrue(history.contains("  terminating  group nomad-clients  hook web-drain-hook  via sns"), history);
            assertTrue(history.contains("  result SUCCEEDED, hook completed CONTINUE, attempts 1"), history);
            assertTrue(history.contains("  step nomad-drain (ssm-command): SUCCEEDED in 41.0 s: Success commandId=c-9: drained"), history);
            assertTrue(history.endsWith("exit 0"), history);

            String plan = run(env, "commands-plan.log", "plan", "samples/03-sns-hook-terminating.json");
            assertTrue(plan.contains("Route      on-terminating (routes/on-terminating.camel.yaml)"), plan);
            assertTrue(plan.contains("→ would send AWS-RunShellScript to i-dd0219d4c359b15db with parameters [commands]"), plan);
            assertTrue(plan.endsWith("exit 0"), plan);

            String refused = run(env, "commands-refused.log", "history", "bad\tname\u0001");
            assertTrue(refused.contains("lifeguard history: \"bad\\u0009name\\u0001\" is neither an EC2 instance id"), refused);
            assertTrue(refused.endsWith("exit 2"), refused);
        }
    }

    /** The command's output (stdout and stderr together), then {@code exit N}. */
    static String run(Map<String, String> env, String log, String... args) throws Exception {
        Process process = Jar.start(env, Path.of("."), log, List.of(args));
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the command exits by itself");
        String output = Files.readString(Jar.LOGS.resolve(log), StandardCharsets.UTF_8);
        assertTrue(!output.contains("Apache Camel") && !output.contains("ReceiveMessage"), "no service started: " + output);
        return output.strip() + "\nexit " + process.exitValue();
    }
}
