package dev.lifeguard.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Says once when an AWS service stops answering (unreachable, 5xx, throttling) and once when it
 * answers again, instead of a line per failed call: a 30 s DynamoDB outage is two lines, not
 * thousands. Every client {@link AwsClients} builds reports its calls here; the callers log
 * such failures quietly ({@link #isOutage}) and retry.
 */
public final class Outages implements ExecutionInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(Outages.class);

    private final Clock clock;
    private final Map<String, Outage> current = new ConcurrentHashMap<>();

    private record Outage(Instant since, String cause, AtomicLong failedCalls) {
    }

    public Outages(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        Outage ended = current.remove(service);
        if (ended != null) {
            LOG.warn("{} answers again after {} s ({} call(s) failed meanwhile and were retried)", service,
                    Duration.between(ended.since(), clock.instant()).toSeconds(), ended.failedCalls().get());
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Throwable error = context.exception();
        if (!isOutage(error)) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        current.computeIfAbsent(service, name -> {
            String cause = describe(error);
            LOG.warn("{} does not answer: {}; calls back off and retry until it does", name, cause);
            return new Outage(clock.instant(), cause, new AtomicLong());
        }).failedCalls().incrementAndGet();
    }

    /** The outage a service is in right now, as its first failure described it; empty when it answers. */
    public Optional<String> outage(String service) {
        Outage outage = current.get(service);
        return outage == null ? Optional.empty()
                : Optional.of(outage.cause() + " (since " + outage.since() + ", " + outage.failedCalls().get() + " call(s) failed)");
    }

    /** Whether a service is in an outage right now (by its SDK name: Sqs, DynamoDb, AutoScaling, …). */
    public boolean isDown(String service) {
        return current.containsKey(service);
    }

    /**
     * A failure that says the service is unreachable or overloaded, not that the request was
     * wrong: no connection, a timeout, a 5xx, throttling. It is reported here once per outage.
     */
    public static boolean isOutage(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException aws) {
                return aws.statusCode() >= 500 || aws.isThrottlingException();
            }
            if (t instanceof SdkClientException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Logs a failure at WARN, or at DEBUG when it is part of an outage, which this class has
     * reported already: one line per outage, not one per call that met it.
     */
    public static void warnUnlessOutage(Logger log, Throwable error, String format, Object... arguments) {
        if (isOutage(error)) {
            log.debug(format, arguments);
        } else {
            log.warn(format, arguments);
        }
    }

    /** The failure's own words: the AWS error code and message, or the root cause's. */
    public static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
                return aws.awsErrorDetails().errorCode() + ": " + aws.awsErrorDetails().errorMessage();
            }
        }
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
