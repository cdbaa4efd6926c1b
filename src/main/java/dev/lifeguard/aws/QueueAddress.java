package dev.lifeguard.aws;

import dev.lifeguard.MisconfiguredException;
import java.net.URI;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A queue given by name or URL, resolved once at start-up so that a typo fails fast with the
 * setting to fix instead of an endless stream of polling errors.
 */
public record QueueAddress(String name, String url) {

    public static QueueAddress resolve(SqsClient sqs, String nameOrUrl, String setting) {
        if (nameOrUrl.startsWith("https://") || nameOrUrl.startsWith("http://")) {
            String path = URI.create(nameOrUrl).getPath();
            return new QueueAddress(path.substring(path.lastIndexOf('/') + 1), nameOrUrl);
        }
        try {
            return new QueueAddress(nameOrUrl, sqs.getQueueUrl(r -> r.queueName(nameOrUrl)).queueUrl());
        } catch (SqsException e) {
            // The SDK raises QueueDoesNotExistException, or a plain SqsException with the code
            // AWS.SimpleQueueService.NonExistentQueue, depending on the protocol the service answers in.
            String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
            if (!(e instanceof QueueDoesNotExistException) && !code.contains("NonExistentQueue") && !code.contains("QueueDoesNotExist")) {
                throw e;
            }
            throw new MisconfiguredException("SQS queue '" + nameOrUrl + "' does not exist; check " + setting
                    + " and the region/endpoint the SDK uses (AWS_REGION, AWS_ENDPOINT_URL_SQS)", e);
        }
    }
}
