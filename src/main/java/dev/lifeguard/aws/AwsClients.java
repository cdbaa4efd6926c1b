package dev.lifeguard.aws;

import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The one place that builds AWS clients. Region, endpoint ({@code AWS_ENDPOINT_URL},
 * {@code AWS_ENDPOINT_URL_<SERVICE>}), credentials and retries come from the SDK's own standard
 * settings chain, so an ECS task role, a profile or local stand-ins all work without a
 * Lifeguard-specific switch.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /**
     * @param connections how many threads may call SQS at once (polls have their own client), so
     *                    that none waits for a connection from the pool
     */
    public static SqsClient sqs(int connections) {
        return SqsClient.builder().httpClientBuilder(ApacheHttpClient.builder().maxConnections(connections)).build();
    }

    /**
     * The connections the queue's consumers long-poll on, one each; wrapped in
     * {@link PollingSqsClient}, which closes them at shutdown to end a poll in progress at once.
     */
    public static SqsClient sqsPolling(int consumers) {
        return SqsClient.builder().httpClientBuilder(ApacheHttpClient.builder().maxConnections(consumers + 1)).build();
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    public static AutoScalingClient autoScaling() {
        return AutoScalingClient.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    public static Ec2Client ec2() {
        return Ec2Client.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    /** Route53 is a global service; the SDK signs for aws-global whatever AWS_REGION says. */
    public static Route53Client route53() {
        return Route53Client.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
    }

    public static SsmClient ssm() {
        return SsmClient.builder().httpClientBuilder(ApacheHttpClient.builder()).build();
    }
}
