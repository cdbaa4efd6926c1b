package dev.lifeguard.steps.exec;

import org.apache.camel.component.exec.ExecCommand;
import org.apache.camel.component.exec.impl.DefaultExecCommandExecutor;
import org.apache.commons.exec.DefaultExecutor;

/**
 * camel-exec's executor without its JVM shutdown hook that kills every child process. A salt
 * state or knife call that is running when the service gets SIGTERM is left to finish within
 * the shutdown grace, instead of dying half-applied 30 ms after the signal; the engine
 * interrupts what is still running when the grace is over, which stops the child then.
 */
public class GracefulExecutor extends DefaultExecCommandExecutor {

    @Override
    protected DefaultExecutor prepareDefaultExecutor(ExecCommand execCommand) {
        DefaultExecutor executor = super.prepareDefaultExecutor(execCommand);
        executor.setProcessDestroyer(null);
        return executor;
    }
}
