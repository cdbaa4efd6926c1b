package dev.lifeguard.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The start-up line's account of the AWS clients: from the SDK's own resolution, never a secret, never a failure. */
class AwsSetupTest {

    @Test
    void theSdksCredentialSourceCodesInWords() {
        assertEquals("environment variables (CREDENTIALS_ENV_VARS)", AwsSetup.source("g"));
        assertEquals("container (CREDENTIALS_HTTP)", AwsSetup.source("z"));
        assertEquals("profile (CREDENTIALS_PROFILE), then sts assume role (CREDENTIALS_STS_ASSUME_ROLE)", AwsSetup.source("n, i"));
        assertEquals("?", AwsSetup.source("?"), "a code this SDK does not know is shown as it is");
    }

    @Test
    void anEndpointWithoutUserInformationOrQuery() {
        assertEquals("http://127.0.0.1:4566/base", AwsSetup.withoutUserInfo(URI.create("http://key:secret@127.0.0.1:4566/base?token=x")));
    }

    @Test
    void overriddenEndpointsRegionAndCredentialsOfBuiltClients() {
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret-key"));
        try (SqsClient sqs = SqsClient.builder().region(Region.EU_WEST_1).credentialsProvider(credentials)
                .endpointOverride(URI.create("http://127.0.0.1:9324")).build();
             DynamoDbClient dynamoDb = DynamoDbClient.builder().region(Region.EU_WEST_1).credentialsProvider(credentials).build()) {
            assertEquals("eu-west-1", AwsSetup.region(sqs));
            assertEquals("sqs=http://127.0.0.1:9324", AwsSetup.endpointOverrides(List.of(Map.entry("sqs", sqs), Map.entry("dynamodb", dynamoDb))));
            assertEquals("none", AwsSetup.endpointOverrides(List.of(Map.entry("dynamodb", dynamoDb))));
            assertEquals("static credentials (CREDENTIALS_CODE)", AwsSetup.credentialsSource(sqs));
        }
    }

    @Test
    void aClientThatDoesNotReportItsConfigurationDoesNotStopStartUp() {
        SdkClient silent = (SdkClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        assertEquals("dynamodb=(not reported)", AwsSetup.endpointOverrides(List.of(Map.entry("dynamodb", silent))));
        assertEquals("(not reported)", AwsSetup.region(silent));
        assertEquals("(not reported)", AwsSetup.credentialsSource(silent));
    }
}
