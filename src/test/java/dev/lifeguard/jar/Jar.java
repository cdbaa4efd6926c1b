package dev.lifeguard.jar;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar started as an operator starts it: {@code java @config/jvm.options -jar
 * lifeguard.jar} from a directory holding routes/ and config/, configured only by the
 * environment variables given (none inherited from the test's own AWS_* or LIFEGUARD_*).
 */
final class Jar {
    static final Path LOGS = Path.of("target", "jar-it");

    private Jar() {
    }

    static Process start(Map<String, String> settings, Path directory, String logName) throws IOException {
        return start(settings, directory, logName, List.of(), false);
    }

    static Process start(Map<String, String> settings, Path directory, String logName, boolean errorsApart) throws IOException {
        return start(settings, directory, logName, List.of(), errorsApart);
    }

    /** The jar with arguments after it ({@code history i-…}, {@code plan event.json}). */
    static Process start(Map<String, String> settings, Path directory, String logName, List<String> args) throws IOException {
        return start(settings, directory, logName, args, false);
    }

    /** @param errorsApart standard error to {@code <logName>.err} instead of with standard output */
    static Process start(Map<String, String> settings, Path directory, String logName, List<String> args, boolean errorsApart)
            throws IOException {
        Files.createDirectories(LOGS);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Files.isRegularFile(directory.resolve("config/jvm.options"))) {
            command.add("@config/jvm.options");
        }
        command.addAll(List.of("-jar", Path.of("target", "lifeguard.jar").toAbsolutePath().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectOutput(LOGS.resolve(logName).toAbsolutePath().toFile());
        if (errorsApart) {
            builder.redirectError(LOGS.resolve(logName + ".err").toAbsolutePath().toFile());
        } else {
            builder.redirectErrorStream(true);
        }
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("LIFEGUARD_"));
        env.putAll(settings);
        return builder.start();
    }

    /** Settings for a service on {@code queue} (its dead-letter queue and table named after it) and the given stand-ins. */
    static Map<String, String> settings(String queue, String profiles, URI sqs, URI dynamoDb, URI autoScaling, URI ssm, URI ec2) {
        Map<String, String> settings = new HashMap<>();
        settings.put("AWS_ACCESS_KEY_ID", "it");
        settings.put("AWS_SECRET_ACCESS_KEY", "it");
        settings.put("AWS_REGION", "us-east-1");
        settings.put("AWS_ENDPOINT_URL_SQS", sqs.toString());
        settings.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString());
        settings.put("AWS_ENDPOINT_URL_AUTO_SCALING", autoScaling.toString());
        settings.put("AWS_ENDPOINT_URL_SSM", ssm.toString());
        settings.put("AWS_ENDPOINT_URL_EC2", ec2.toString());
        settings.put("LIFEGUARD_QUEUE", queue);
        settings.put("LIFEGUARD_DEAD_LETTER_QUEUE", queue + "-dlq");
        settings.put("LIFEGUARD_TABLE", queue);
        settings.put("LIFEGUARD_TABLE_CREATE", "true");
        settings.put("LIFEGUARD_PROFILES", profiles);
        settings.put("LIFEGUARD_POLL_WAIT_SECONDS", "1");
        // Replicas run side by side here: no health endpoint unless a test asks for one on a port of its own.
        settings.put("LIFEGUARD_HEALTH_PORT", "0");
        return settings;
    }
}
