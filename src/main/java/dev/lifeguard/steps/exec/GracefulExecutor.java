package dev.lifeguard.steps.exec;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.ExecDefaultExecutor;
import org.apache.camel.component.exec.ExecException;
import org.apache.camel.component.exec.ExecResult;
import org.apache.camel.component.exec.impl.DefaultExecCommandExecutor;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.PumpStreamHandler;

/**
 * camel-exec's executor, with two differences.
 *
 * <p>No JVM shutdown hook kills every child process. A salt state or knife call that is running
 * when the service gets SIGTERM is left to finish within the shutdown grace, instead of dying
 * half-applied 30 ms after the signal; the engine interrupts what is still running when the
 * grace is over, which stops the child then.
 *
 * <p>Output is kept within a bound while the program runs ({@link BoundedOutput}: at most 1 MiB
 * of standard output and 1 MiB of standard error), where camel-exec's own executor buffers all
 * of it. The streams are still read to their end, so a program that prints without end neither
 * fills the memory nor blocks on a full pipe; the result says how much was cut.
 */
public class GracefulExecutor extends DefaultExecCommandExecutor {

    @Override
    protected DefaultExecutor prepareDefaultExecutor(ExecCommand execCommand) {
        DefaultExecutor executor = super.prepareDefaultExecutor(execCommand);
        executor.setProcessDestroyer(null);
        return executor;
    }

    /** As camel-exec's, with bounded buffers in place of unbounded ones. */
    @Override
    public ExecResult execute(ExecCommand command) {
        BoundedOutput out = new BoundedOutput();
        BoundedOutput err = new BoundedOutput();
        DefaultExecutor executor = prepareDefaultExecutor(command);
        executor.setStreamHandler(new PumpStreamHandler(out, err, command.getInput()));
        CommandLine commandLine = toCommandLine(command);
        try {
            return new Result(command, out, err, executor.execute(commandLine));
        } catch (ExecuteException e) {
            throw new ExecException("Failed to execute command " + command, stream(out), stream(err), e.getExitValue(), e);
        } catch (IOException e) {
            // The executor records the exit value itself, working around commons-exec losing it.
            int exitValue = executor instanceof ExecDefaultExecutor exec ? exec.getExitValue() : 0;
            // commons-exec may close a stream before its pump finished reading it: the run itself was fine.
            if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).equals("stream closed")) {
                return new Result(command, out, err, exitValue);
            }
            throw new ExecException("Unable to execute command " + command, stream(out), stream(err), exitValue, e);
        } finally {
            InputStream input = command.getInput();
            if (input != null) {
                try {
                    input.close();
                } catch (IOException ignored) {
                    // nothing was written to it
                }
            }
        }
    }

    /** Null when nothing was written, as {@link ExecResult} expects. */
    private static InputStream stream(BoundedOutput output) {
        return output.written() == 0 ? null : new ByteArrayInputStream(output.text().getBytes(StandardCharsets.UTF_8));
    }

    /** A finished program's result, with how many bytes of its output were cut. */
    static final class Result extends ExecResult {
        private static final long serialVersionUID = 1L;
        private final long cut;

        Result(ExecCommand command, BoundedOutput out, BoundedOutput err, int exitValue) {
            super(command, stream(out), stream(err), exitValue);
            this.cut = out.cut() + err.cut();
        }

        /** Bytes of standard output and error together that were written but not kept. */
        long cut() {
            return cut;
        }
    }
}
