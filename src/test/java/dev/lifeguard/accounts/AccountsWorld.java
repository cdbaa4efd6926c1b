package dev.lifeguard.accounts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.lifeguard.Fixtures;
import dev.lifeguard.event.AccountRegion;
import dev.lifeguard.local.LiveActions;
import dev.lifeguard.local.LocalAutoScaling;
import dev.lifeguard.local.MotoServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * A hub account (moto's default, 123456789012, in us-east-1) and member accounts, each its own
 * backend in moto_server (moto keeps one per account and region, and knows an assumed role's
 * account from its access key). Auto Scaling is the WireMock stand-in that knows which lifecycle
 * actions are live; the hub's STS goes through a WireMock proxy to moto, so that every AssumeRole
 * the service makes is on record.
 */
final class AccountsWorld {
    static final String HUB = "123456789012";
    static final String QUEUE = "accounts-in";
    static final String DEAD_LETTER_QUEUE = "accounts-dlq";
    static final String EXTERNAL_ID = "lifeguard-accounts-test";
    static final Path PROFILES = Path.of("target/accounts-profiles.yaml");
    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([A-Z0-9]+)/\\d{8}/([a-z0-9-]+)/");

    private static AccountsWorld world;

    final MotoServer moto;
    final LiveActions actions = new LiveActions();
    final WireMockServer autoScaling;
    final WireMockServer sts;
    final SqsClient sqs;
    final DynamoDbClient dynamoDb;
    final Ec2Client ec2;
    final Route53Client route53;
    final SsmClient ssm;
    private final Map<String, AwsCredentialsProvider> members = new ConcurrentHashMap<>();

    private AccountsWorld(MotoServer moto) {
        this.moto = moto;
        this.autoScaling = LocalAutoScaling.start(actions);
        this.sts = new WireMockServer(options().dynamicPort());
        sts.start();
        sts.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(moto.endpoint())));
        this.sqs = client(SqsClient.builder(), Region.US_EAST_1, hubCredentials());
        this.dynamoDb = client(DynamoDbClient.builder(), Region.US_EAST_1, hubCredentials());
        this.ec2 = client(Ec2Client.builder(), Region.US_EAST_1, hubCredentials());
        this.route53 = client(Route53Client.builder(), Region.US_EAST_1, hubCredentials());
        this.ssm = client(SsmClient.builder(), Region.US_EAST_1, hubCredentials());
        sqs.createQueue(r -> r.queueName(QUEUE).attributes(Map.of(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.VISIBILITY_TIMEOUT, "2")));
        sqs.createQueue(r -> r.queueName(DEAD_LETTER_QUEUE));
    }

    static synchronized AccountsWorld get() {
        if (world == null) {
            try {
                world = new AccountsWorld(MotoServer.start(Path.of("target/accounts-moto.log")));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the accounts' stand-ins", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                world.autoScaling.stop();
                world.sts.stop();
                world.moto.close();
            }));
        }
        return world;
    }

    // --- a member account, as its own operators see it (their role assumed here, off the record) ---

    /** A client in a member account and region, with that account's own credentials. */
    <B extends AwsClientBuilder<B, C>, C> C in(B builder, AccountRegion where) {
        return client(builder, Region.of(where.region()), members.computeIfAbsent(where.account(), this::memberCredentials));
    }

    private AwsCredentialsProvider memberCredentials(String account) {
        try (StsClient direct = client(StsClient.builder(), Region.US_EAST_1, hubCredentials())) {
            Credentials c = direct.assumeRole(r -> r.roleArn("arn:aws:iam::" + account + ":role/test-operator")
                    .roleSessionName("test-operator").durationSeconds(3600)).credentials();
            return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()));
        }
    }

    /** A running instance in a member account and region. */
    String launch(AccountRegion where) {
        Ec2Client member = in(Ec2Client.builder(), where);
        String image = member.describeImages(r -> r.owners("amazon")).images().get(0).imageId();
        return member.runInstances(r -> r.imageId(image).minCount(1).maxCount(1)).instances().get(0).instanceId();
    }

    /** A hosted zone in a member account, with an A record; returns the zone id. */
    String zone(String account, String name, String record, String address) {
        Route53Client member = in(Route53Client.builder(), new AccountRegion(account, "us-east-1"));
        String id = member.createHostedZone(r -> r.name(name).callerReference(account + "-" + name)).hostedZone().id();
        String zone = id.substring(id.lastIndexOf('/') + 1);
        member.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.changes(c -> c.action(ChangeAction.CREATE)
                .resourceRecordSet(s -> s.name(record).type(RRType.A).ttl(60L).resourceRecords(v -> v.value(address))))));
        return zone;
    }

    List<String> recordNames(String account, String zone) {
        return in(Route53Client.builder(), new AccountRegion(account, "us-east-1")).listResourceRecordSets(r -> r.hostedZoneId(zone))
                .resourceRecordSets().stream().map(ResourceRecordSet::name).toList();
    }

    /** SSM commands sent to an instance, as seen in one account and region. */
    List<String> commandsOn(AccountRegion where, String instanceId) {
        SsmClient client = where.account().equals(HUB) ? client(SsmClient.builder(), Region.of(where.region()), hubCredentials())
                : in(SsmClient.builder(), where);
        // moto lists every command of the account and region whatever the instance asked for, and
        // gives a command the instances of the one sent before it too: one instance per backend here.
        return client.listCommands(r -> r.instanceId(instanceId)).commands().stream()
                .filter(c -> c.instanceIds().contains(instanceId)).map(c -> c.commandId()).toList();
    }

    // --- what reached Auto Scaling and STS ---

    /** Auto Scaling calls of one action naming this token. */
    List<LoggedRequest> calls(String action, String token) {
        return autoScaling.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                .filter(c -> action.equals(Fixtures.form(c).get("Action")) && token.equals(Fixtures.form(c).get("LifecycleActionToken")))
                .toList();
    }

    /** The AssumeRole calls the service made, by the account of the role. */
    List<Map<String, String>> assumeRoles(String account) {
        return sts.findAll(postRequestedFor(urlEqualTo("/"))).stream().map(Fixtures::form)
                .filter(f -> "AssumeRole".equals(f.get("Action")) && f.getOrDefault("RoleArn", "").contains(":" + account + ":"))
                .toList();
    }

    /**
     * Where a signed call went: the account whose credentials signed it (moto tells an access key's
     * account, whatever the secret) and the region it was signed for.
     */
    AccountRegion signer(LoggedRequest call) {
        Matcher m = ACCESS_KEY.matcher(call.getHeader("Authorization"));
        if (!m.find()) {
            throw new AssertionError("not a SigV4 request: " + call.getHeader("Authorization"));
        }
        try (StsClient asKey = client(StsClient.builder(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(m.group(1), "any")))) {
            return new AccountRegion(asKey.getCallerIdentity().account(), m.group(2));
        }
    }

    void writeProfiles(String text) {
        try {
            Files.createDirectories(PROFILES.getParent());
            Files.writeString(PROFILES, text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private <B extends AwsClientBuilder<B, C>, C> C client(B builder, Region region, AwsCredentialsProvider credentials) {
        return builder.endpointOverride(URI.create(moto.endpoint())).region(region).credentialsProvider(credentials).build();
    }

    static StaticCredentialsProvider hubCredentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    }

    /** Binds the hub's clients before Lifeguard's configuration builds its own. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext camelContext) {
            AccountsWorld world = get();
            Registry registry = camelContext.getRegistry();
            registry.bind("sqsClient", SqsClient.class, world.sqs);
            registry.bind("dynamoDbClient", DynamoDbClient.class, world.dynamoDb);
            registry.bind("ec2Client", Ec2Client.class, world.ec2);
            registry.bind("route53Client", Route53Client.class, world.route53);
            registry.bind("ssmClient", SsmClient.class, world.ssm);
            registry.bind("ecsClient", software.amazon.awssdk.services.ecs.EcsClient.class,
                    world.client(software.amazon.awssdk.services.ecs.EcsClient.builder(), Region.US_EAST_1, hubCredentials()));
            registry.bind("snsClient", SnsClient.class, world.client(SnsClient.builder(), Region.US_EAST_1, hubCredentials()));
            registry.bind("autoScalingClient", AutoScalingClient.class, AutoScalingClient.builder()
                    .endpointOverride(URI.create(world.autoScaling.baseUrl())).region(Region.US_EAST_1)
                    .credentialsProvider(hubCredentials()).build());
            registry.bind("stsClient", StsClient.class, StsClient.builder()
                    .endpointOverride(URI.create(world.sts.baseUrl())).region(Region.US_EAST_1)
                    .credentialsProvider(hubCredentials()).build());
        }
    }
}
