package dev.lifeguard.cli;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * AWS clients for {@code plan} that refuse every call, naming it: the real steps run their own
 * rendering and checks (their dry run) with these, and a step whose dry run would read a
 * service (Route53 listing a zone) says so instead of calling it. They are the SDK's own
 * clients, stopped before anything is signed or sent.
 */
final class NoCalls {
    private NoCalls() {
    }

    /** A call {@code plan} did not make. */
    static final class NotCalled extends RuntimeException {
        NotCalled(String service, String operation) {
            super(service + " " + operation);
        }
    }

    static Route53Client route53() {
        return Route53Client.builder().region(Region.AWS_GLOBAL).credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(refusing("Route53")).build();
    }

    static SsmClient ssm() {
        return SsmClient.builder().region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(refusing("SSM")).build();
    }

    static EcsClient ecs() {
        return EcsClient.builder().region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClientBuilder(ApacheHttpClient.builder()).overrideConfiguration(refusing("ECS")).build();
    }

    /** The refusal in an exception's causes (the SDK and the steps wrap it), or null. */
    static NotCalled refusal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof NotCalled call) {
                return call;
            }
        }
        return null;
    }

    private static ClientOverrideConfiguration refusing(String service) {
        return ClientOverrideConfiguration.builder().addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                throw new NotCalled(service, attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
            }
        }).build();
    }
}
