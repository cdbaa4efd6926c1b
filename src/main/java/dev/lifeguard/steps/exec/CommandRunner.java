package dev.lifeguard.steps.exec;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.steps.PermanentStepException;
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
 * so a value cannot become a second command. Callers check every argument they build from a
 * message for the tool before it gets here.
 *
 * <p>An executable that breaks {@link ToolPaths#RULE}, does not exist or cannot be run fails
 * permanently ({@link PermanentStepException}): a retry finds the same file. A program that ran
 * and exited non-zero is an ordinary result, for the caller to judge and, usually, retry. Its
 * standard output and error are each kept within {@link BoundedOutput#LIMIT} while it runs.
 */
public class CommandRunner {
    /** What is read back of one stream: the bound, and room for the line that says what was cut. */
    private static final int MAX_READ = BoundedOutput.LIMIT + 1024;
    /**
     * What the JDK reports when exec fails for a reason that lies in the file itself: ENOENT (2),
     * ENOEXEC (8), EACCES (13), ENOTDIR (20). Others (EAGAIN, ENOMEM, EMFILE, …) can pass.
     */
    private static final Pattern CANNOT_RUN = Pattern.compile(
            ".*(error=(2|8|13|20),|No such file or directory|Permission denied|Exec format error|Not a directory).*",
            Pattern.DOTALL);

    /** The registry name of {@link GracefulExecutor}, which every exec endpoint here uses. */
    private static final String EXECUTOR = "gracefulExecutor";

    private final ProducerTemplate producer;

    public CommandRunner(ProducerTemplate producer) {
        this.producer = producer;
        if (producer != null && producer.getCamelContext().getRegistry().lookupByName(EXECUTOR) == null) {
            producer.getCamelContext().getRegistry().bind(EXECUTOR, new GracefulExecutor());
        }
    }

    public CommandResult run(List<String> argv, Duration timeout) {
        String executable = argv.get(0);
        if (!ToolPaths.isValid(executable)) {
            throw new PermanentStepException("executable " + Identifiers.quote(executable) + " is not a usable path: "
                    + ToolPaths.RULE);
        }
        // One endpoint for every program: the executable goes in a header, so a path with spaces
        // (or any character a URI would read) never becomes part of an endpoint URI.
        Exchange exchange = producer.send("exec:program?commandExecutor=#" + EXECUTOR, e -> {
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_EXECUTABLE, executable);
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_ARGS, List.copyOf(argv.subList(1, argv.size())));
            e.getMessage().setHeader(ExecBinding.EXEC_COMMAND_TIMEOUT, timeout.toMillis());
        });
        Exception failure = exchange.getException();
        if (failure != null) {
            IOException cannotRun = cannotRun(failure);
            if (cannotRun != null) {
                throw new PermanentStepException("executable " + Identifiers.quote(executable)
                        + " cannot be run (missing, not executable or not a program): " + cannotRun.getMessage(), failure);
            }
            throw new IllegalStateException("could not run " + executable + ": " + failure.getMessage(), failure);
        }
        ExecResult result = exchange.getMessage().getBody(ExecResult.class);
        long cut = result instanceof GracefulExecutor.Result bounded ? bounded.cut() : 0;
        return new CommandResult(argv, result.getExitValue(), read(result.getStdout()), read(result.getStderr()), cut);
    }

    /** The IOException in {@code failure}'s causes that says the file cannot be executed, or null. */
    private static IOException cannotRun(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException io && io.getMessage() != null && CANNOT_RUN.matcher(io.getMessage()).matches()) {
                return io;
            }
        }
        return null;
    }

    private static String read(InputStream stream) {
        if (stream == null) {
            return "";
        }
        try (stream) {
            byte[] bytes = stream.readNBytes(MAX_READ);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
