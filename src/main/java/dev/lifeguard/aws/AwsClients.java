package dev.lifeguard.aws;

import dev.lifeguard.event.AccountRegion;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The one place that builds AWS clients. Region, endpoint ({@code AWS_ENDPOINT_URL},
 * {@code AWS_ENDPOINT_URL_<SERVICE>}), credentials and retries come from the SDK's own standard
 * settings chain, so an ECS task role, a profile or local stand-ins all work without a
 * Lifeguard-specific switch.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /** Every call reports to {@link Outages}, which logs an outage once instead of every failed call. */
    private static ClientOverrideConfiguration reportingTo(Outages outages) {
        return ClientOverrideConfiguration.builder().addExecutionInterceptor(outages).build();
    }

    /**
     * @param connections how many threads may call SQS at once (polls have their own client), so
     *                    that none waits for a connection from the pool
     */
    public static SqsClient sqs(int connections, Outages outages) {
        return SqsClient.builder().httpClientBuilder(ApacheHttpClient.builder().maxConnections(connections))
                .overrideConfiguration(reportingTo(outages)).build();
    }

    /**
     * The connections the queue's consumers long-poll on, one each; wrapped in
     * {@link PollingSqsClient}, which closes them at shutdown to end a poll in progress at once.
     */
    public static SqsClient sqsPolling(int consumers, Outages outages) {
        return SqsClient.builder().httpClientBuilder(ApacheHttpClient.builder().maxConnections(consumers + 1))
                .overrideConfiguration(reportingTo(outages)).build();
    }

    public static DynamoDbClient dynamoDb(Outages outages) {
        return DynamoDbClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    public static AutoScalingClient autoScaling(Outages outages) {
        return AutoScalingClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    public static Ec2Client ec2(Outages outages) {
        return Ec2Client.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /** Route53 is a global service; the SDK signs for aws-global whatever AWS_REGION says. */
    public static Route53Client route53(Outages outages) {
        return Route53Client.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    public static SsmClient ssm(Outages outages) {
        return SsmClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /** Only for ecs-drain steps; one per account and region ({@link PerAccount}). */
    public static EcsClient ecs(Outages outages) {
        return EcsClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /** Notifications publish through camel-aws2-sns with this client ({@code #snsClient}). */
    public static SnsClient sns(Outages outages) {
        return SnsClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /** Only for chef-cleanup keys stored as secrets (GetSecretValue). */
    public static SecretsManagerClient secretsManager(Outages outages) {
        return SecretsManagerClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /** GetCallerIdentity (this service's own account) and the member accounts' AssumeRole. */
    public static StsClient sts(Outages outages) {
        return StsClient.builder().httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(reportingTo(outages)).build();
    }

    /**
     * A client of the same service as {@code home}, for another account or region: built for
     * {@code where}'s region, with {@code credentials} (a member account's assumed role), or with
     * {@code home}'s own for another region of this account. It goes where {@code home} goes when
     * that is an endpoint override (a stand-in), else to the region's own endpoint.
     */
    public static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C> C elsewhere(
            B builder, SdkClient home, AccountRegion where, AwsCredentialsProvider credentials, Outages outages) {
        builder.region(Region.of(where.region())).httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(reportingTo(outages));
        Optional<AwsServiceClientConfiguration> configuration = AwsSetup.configuration(home)
                .filter(AwsServiceClientConfiguration.class::isInstance).map(AwsServiceClientConfiguration.class::cast);
        configuration.flatMap(AwsServiceClientConfiguration::endpointOverride).ifPresent(builder::endpointOverride);
        if (credentials != null) {
            builder.credentialsProvider(credentials);
        } else {
            configuration.map(AwsServiceClientConfiguration::credentialsProvider).ifPresent(builder::credentialsProvider);
        }
        return builder.build();
    }
}
