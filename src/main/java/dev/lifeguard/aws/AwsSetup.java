package dev.lifeguard.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.core.useragent.BusinessMetricFeatureId;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where and as whom the AWS clients call, in words for the start-up line, as the SDK itself
 * resolved it from its standard settings: region, the endpoints overridden
 * ({@code AWS_ENDPOINT_URL[_<SERVICE>]} or a client built for a stand-in), and which provider
 * of the credentials chain supplied the credentials. Never a key.
 */
public final class AwsSetup {
    /** Words for the credentials sources an operator meets most. */
    private static final Map<String, String> SOURCES = Map.of(
            "CREDENTIALS_ENV_VARS", "environment variables",
            "CREDENTIALS_JVM_SYSTEM_PROPERTIES", "JVM system properties",
            "CREDENTIALS_PROFILE", "profile",
            "CREDENTIALS_HTTP", "container",
            "CREDENTIALS_IMDS", "instance profile",
            "CREDENTIALS_CODE", "static credentials");

    private AwsSetup() {
    }

    public static String region(SdkClient client) {
        return configuration(client).filter(AwsServiceClientConfiguration.class::isInstance)
                .map(c -> ((AwsServiceClientConfiguration) c).region()).map(Region::id).orElse("(not reported)");
    }

    /**
     * {@code sqs=http://127.0.0.1:4566, dynamodb=…}, or {@code none}, from the clients by service
     * name. A client that does not report its configuration (an in-process stand-in) says so.
     */
    public static String endpointOverrides(List<Map.Entry<String, SdkClient>> clients) {
        String overridden = clients.stream()
                .flatMap(named -> configuration(named.getValue())
                        .map(c -> c.endpointOverride().map(AwsSetup::withoutUserInfo))
                        .orElse(Optional.of("(not reported)"))
                        .map(endpoint -> named.getKey() + "=" + endpoint).stream())
                .collect(Collectors.joining(", "));
        return overridden.isEmpty() ? "none" : overridden;
    }

    /** The client's configuration, unless it does not give it (DynamoDB Local's embedded client). */
    static Optional<SdkServiceClientConfiguration> configuration(SdkClient client) {
        try {
            return Optional.ofNullable(client.serviceClientConfiguration());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Which source of the credentials chain supplied the client's credentials, asked of the chain
     * once the start-up calls have succeeded with them: {@code environment variables
     * (CREDENTIALS_ENV_VARS)}, {@code container (CREDENTIALS_HTTP)}, {@code profile
     * (CREDENTIALS_PROFILE)}, {@code instance profile (CREDENTIALS_IMDS)}, … The SDK names the
     * source with the codes of its {@link BusinessMetricFeatureId}s.
     */
    public static String credentialsSource(SdkClient client) {
        if (!(configuration(client).orElse(null) instanceof AwsServiceClientConfiguration aws) || aws.credentialsProvider() == null) {
            return "(not reported)";
        }
        IdentityProvider<? extends AwsCredentialsIdentity> provider = aws.credentialsProvider();
        try {
            Optional<String> codes = provider.resolveIdentity().join().providerName();
            return codes.filter(c -> !c.isBlank()).map(AwsSetup::source).orElse(provider.getClass().getSimpleName());
        } catch (RuntimeException e) {
            return provider.getClass().getSimpleName() + " (not resolved: " + e.getClass().getSimpleName() + ")";
        }
    }

    /** The SDK's provider codes ({@code g}, or {@code n,o} for a chain) in words. */
    static String source(String codes) {
        return Arrays.stream(codes.split(",")).map(String::trim).map(code -> Arrays.stream(BusinessMetricFeatureId.values())
                        .filter(feature -> feature.value().equals(code)).findFirst()
                        .map(feature -> SOURCES.getOrDefault(feature.name(), feature.name().toLowerCase(Locale.ROOT)
                                .replace("credentials_", "").replace('_', ' ')) + " (" + feature.name() + ")")
                        .orElse(code))
                .collect(Collectors.joining(", then "));
    }

    /** An endpoint as logged: scheme, host, port and path, never user information or a query. */
    static String withoutUserInfo(URI endpoint) {
        try {
            return new URI(endpoint.getScheme(), null, endpoint.getHost(), endpoint.getPort(), endpoint.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return endpoint.getScheme() + "://" + endpoint.getHost();
        }
    }
}
