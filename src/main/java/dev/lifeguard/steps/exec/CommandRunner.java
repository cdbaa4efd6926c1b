package dev.lifeguard.steps.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.exec.ExecBinding;
import org.apache.camel.component.exec.ExecResult;

/**
 * Runs a program through camel-exec with an argument list: no shell ever sees the arguments,
 * so a value cannot become a second command. Callers validate every argument they build from a
 * message before it gets here.
 */
public class CommandRunner {
    /** Executables named in profiles: a path of plain characters, no spaces or shell syntax. */
    public static final Pattern EXECUTABLE = Pattern.compile("[A-Za-z0-9_./-]{1,255}");
    private static final int MAX_OUTPUT = 64 * 1024;

    private final ProducerTemplate producer;

    public CommandRunner(ProducerTemplate producer) {
        this.producer = producer;
    }

    public CommandResult run(List<String> argv, Duration timeout) {
        String executable = argv.get(0);
        if (!EXECUTABLE.matcher(executable).matches()) {
            throw new IllegalArgumentException("executable '" + executable + "' is not a plain path");
        }
        Exchange exchange = producer.send("exec:" + executable, e -> {
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, executable);
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, List.copyOf(argv.subList(1, argv.size())));
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
        });
        if (exchange.getException() != null) {
            throw new IllegalStateException("could not run " + executable + ": " + exchange.getException().getMessage(),
                    exchange.getException());
        }
        ExecResult result = exchange.getMessage().getBody(ExecResult.class);
        return new CommandResult(argv, result.getExitValue(), read(result.getStdout()), read(result.getStderr()));
    }

    private static String read(InputStream stream) {
        if (stream == null) {
            return "";
        }
        try (stream) {
            byte[] bytes = stream.readNBytes(MAX_OUTPUT);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
