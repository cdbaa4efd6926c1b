package dev.lifeguard.engine;

import dev.lifeguard.aws.Outages;
import dev.lifeguard.steps.PermanentStepException;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Tells a failure that a retry may fix (throttling, a 5xx, a timeout, a lost connection, a tool
 * that exited non-zero) from one that it cannot (an unsafe value, a missing executable, a
 * profile mistake, an access denial, something that does not exist). Only the first kind is
 * retried; the second goes straight to the hook's failure result.
 */
final class StepFailures {
    /** AWS error codes that no retry changes. */
    private static final Set<String> PERMANENT_CODES = Set.of(
            "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
            "InvalidClientTokenId", "NoSuchHostedZone", "InvalidInput", "InvalidDocument", "InvalidInstanceId",
            "InvalidParameters", "InvalidOutputFolder", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed",
            "ValidationException");

    private StepFailures() {
    }

    static boolean isPermanent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PermanentStepException || t instanceof IllegalArgumentException) {
                return true;
            }
            if (t instanceof AwsServiceException aws) {
                if (aws.isThrottlingException() || aws.statusCode() >= 500) {
                    return false;
                }
                return aws.awsErrorDetails() != null && PERMANENT_CODES.contains(aws.awsErrorDetails().errorCode());
            }
            if (t instanceof SdkClientException) {
                return false;
            }
        }
        return false;
    }

    /** The failure's own words: the AWS error code and text, not a wrapper's. */
    static String describe(Throwable error) {
        return Outages.describe(error);
    }
}
