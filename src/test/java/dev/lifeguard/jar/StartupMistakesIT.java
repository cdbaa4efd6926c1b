package dev.lifeguard.jar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.Fixtures;
import dev.lifeguard.local.MotoServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Mistakes an operator makes when starting the jar: each stops it with exit status 2 and one
 * message naming the setting or file to fix, without a stack trace. And two replicas that start
 * together and both create the table both start.
 */
class StartupMistakesIT {
    private static final Path LOGS = Path.of("target", "jar-it");

    private static MotoServer moto;

    @BeforeAll
    static void standIns() throws Exception {
        Files.createDirectories(LOGS);
        moto = MotoServer.start(LOGS.resolve("moto-startup.log"));
        SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(moto.endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it"))).build();
        sqs.createQueue(r -> r.queueName("startup-in"));
        sqs.createQueue(r -> r.queueName("startup-dlq"));
    }

    @AfterAll
    static void stop() {
        if (moto != null) {
            moto.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a misspelt queue           | LIFEGUARD_QUEUE=startup-inn                | .      | LIFEGUARD_QUEUE (lifeguard.queue)",
        "a misspelt dead-letter queue | LIFEGUARD_DEAD_LETTER_QUEUE=startup-dql  | .      | LIFEGUARD_DEAD_LETTER_QUEUE",
        "a table name DynamoDB refuses | LIFEGUARD_TABLE=my table                | .      | LIFEGUARD_TABLE (lifeguard.table) 'my table' is not a DynamoDB table name",
        "a table that does not exist | LIFEGUARD_TABLE_CREATE=false              | .      | LIFEGUARD_TABLE_CREATE=true",
        "a profiles file that does not load | LIFEGUARD_PROFILES=pom.xml         | .      | profiles file pom.xml is invalid",
        "no region                  | AWS_REGION=                                | .      | no AWS region: set AWS_REGION",
        "no credentials             | AWS_ACCESS_KEY_ID=                         | .      | no AWS credentials",
        "another working directory  | LIFEGUARD_POLL_WAIT_SECONDS=1              | target | set LIFEGUARD_HOME to the directory that holds routes/ and config/",
        "a log format that does not exist | LIFEGUARD_LOG_FORMAT=xml              | .      | LIFEGUARD_LOG_FORMAT must be json or text, not 'xml'",
    })
    void aStartUpMistakeExitsWithTwoAndNamesWhatToFix(String mistake, String setting, String directory, String expected)
            throws Exception {
        Map<String, String> env = baseEnvironment("startup-" + Math.abs(mistake.hashCode()));
        String[] pair = setting.split("=", 2);
        if (pair[1].isEmpty()) {
            env.remove(pair[0]);
        } else {
            env.put(pair[0], pair[1]);
        }
        if (pair[0].equals("AWS_ACCESS_KEY_ID")) {
            env.remove("AWS_SECRET_ACCESS_KEY");
        }
        String log = "startup-" + mistake.replaceAll("[^a-z]+", "-") + ".log";
        Process lifeguard = startJar(env, Path.of(directory), log);
        assertTrue(lifeguard.waitFor(60, TimeUnit.SECONDS), "stops by itself");
        String output = Files.readString(LOGS.resolve(log), StandardCharsets.UTF_8);
        assertEquals(2, lifeguard.exitValue(), output);
        assertTrue(output.contains("lifeguard: ") && output.contains(expected), output);
        assertFalse(output.contains("\tat "), () -> "no stack trace:\n" + output);
    }

    @Test
    void aRouteFileThatDoesNotParseIsNamedWithItsLineAndColumn() throws Exception {
        Path home = copyOfTheProject("broken-route");
        Files.writeString(home.resolve("routes/on-launched.camel.yaml"), "- route:\n    id: on-launched\n   from: [oops\n");
        String output = runIn(home, "startup-broken-route.log");
        assertTrue(output.contains("lifeguard: route file file:routes/on-launched.camel.yaml does not parse:")
                && output.contains("line 3, column 4"), output);
        assertFalse(output.contains("\tat "), () -> "no stack trace:\n" + output);
    }

    @Test
    void aKindWithoutItsRouteStopsStartUp() throws Exception {
        Path home = copyOfTheProject("missing-route");
        Files.delete(home.resolve("routes/on-terminate-error.camel.yaml"));
        String output = runIn(home, "startup-missing-route.log");
        assertTrue(output.contains("lifeguard: routes/ has no route for [on-terminate-error]"), output);
        assertFalse(output.contains("\tat "), () -> "no stack trace:\n" + output);
    }

    /** routes/ and config/ copied to a directory of their own, to break one of them. */
    private static Path copyOfTheProject(String name) throws IOException {
        Path home = Path.of("target", "startup-" + name).toAbsolutePath();
        for (String dir : new String[] {"routes", "config"}) {
            Files.createDirectories(home.resolve(dir));
            try (var files = Files.list(Path.of(dir))) {
                for (Path file : files.toList()) {
                    Files.copy(file, home.resolve(dir).resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return home;
    }

    private static String runIn(Path home, String log) throws Exception {
        Map<String, String> env = baseEnvironment("startup-" + home.getFileName());
        env.put("LIFEGUARD_PROFILES", Path.of("src/test/resources/profiles/none.yaml").toAbsolutePath().toString());
        Process lifeguard = startJar(env, home, log);
        assertTrue(lifeguard.waitFor(60, TimeUnit.SECONDS), "stops by itself");
        String output = Files.readString(LOGS.resolve(log), StandardCharsets.UTF_8);
        assertEquals(2, lifeguard.exitValue(), output);
        return output;
    }

    @Test
    void lifeguardHomeNamesWhereRoutesAndConfigAreWhenStartedElsewhere() throws Exception {
        Map<String, String> env = baseEnvironment("startup-home");
        // Routes, settings and the (relative) profiles path are all found under LIFEGUARD_HOME.
        env.put("LIFEGUARD_HOME", Path.of("").toAbsolutePath().toString());
        Process lifeguard = startJar(env, Path.of("target"), "startup-home.log");
        try {
            Fixtures.awaitUntil("polling", Duration.ofSeconds(60), () -> read("startup-home.log").contains("Started sqs-intake"));
            assertTrue(lifeguard.isAlive(), read("startup-home.log"));
            assertTrue(read("startup-home.log").contains("Profiles loaded from " + Path.of("").toAbsolutePath()
                    .resolve("src/test/resources/profiles/none.yaml")), read("startup-home.log"));
            // LIFEGUARD_HEALTH_PORT=0: no HTTP server at all, not one on a port chosen at random.
            assertTrue(!read("startup-home.log").contains("HttpServer started"), read("startup-home.log"));
        } finally {
            lifeguard.destroy();
            lifeguard.waitFor(40, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoReplicasCreatingTheTableAtOnceBothStart() throws Exception {
        Map<String, String> env = baseEnvironment("startup-race");
        Process first = startJar(env, Path.of("."), "startup-race-1.log");
        Process second = startJar(env, Path.of("."), "startup-race-2.log");
        try {
            for (String log : new String[] {"startup-race-1.log", "startup-race-2.log"}) {
                Fixtures.awaitUntil(log + " polling", Duration.ofSeconds(60), () -> read(log).contains("Started sqs-intake"));
            }
            assertTrue(first.isAlive() && second.isAlive(), "both replicas run");
        } finally {
            first.destroy();
            second.destroy();
            first.waitFor(40, TimeUnit.SECONDS);
            second.waitFor(40, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> baseEnvironment(String table) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", "it");
        env.put("AWS_SECRET_ACCESS_KEY", "it");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL", moto.endpoint());
        // Only what this test sets: no shared files, no instance metadata to wait for.
        env.put("AWS_CONFIG_FILE", "/nonexistent");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("LIFEGUARD_QUEUE", "startup-in");
        env.put("LIFEGUARD_DEAD_LETTER_QUEUE", "startup-dlq");
        env.put("LIFEGUARD_TABLE", table);
        env.put("LIFEGUARD_TABLE_CREATE", "true");
        env.put("LIFEGUARD_POLL_WAIT_SECONDS", "1");
        env.put("LIFEGUARD_PROFILES", "src/test/resources/profiles/none.yaml");
        env.put("LIFEGUARD_HEALTH_PORT", "0");
        return env;
    }

    private static Process startJar(Map<String, String> settings, Path directory, String logName) throws IOException {
        return Jar.start(settings, directory, logName);
    }

    private static String read(String log) {
        try {
            return Files.readString(LOGS.resolve(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
