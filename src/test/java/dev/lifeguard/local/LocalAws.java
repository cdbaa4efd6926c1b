package dev.lifeguard.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * In-process stand-ins for the AWS services Lifeguard calls, all on 127.0.0.1: ElasticMQ for
 * SQS, DynamoDB Local (embedded, no socket at all) and WireMock answering Auto Scaling's query
 * API and, for local mode, EC2's DescribeInstances and empty Route53 zones. Used by the tests and by local mode; never part of the production jar.
 */
public final class LocalAws implements AutoCloseable {
    public static final String REGION = "us-east-1";
    static final String ACCESS_KEY = "local";
    static final String SECRET_KEY = "local";

    private static LocalAws shared;

    private final SQSRestServer sqsServer;
    private final int sqsPort;
    private final AmazonDynamoDBLocal dynamoDbLocal;
    private final DynamoDbClient dynamoDb;
    private final WireMockServer autoScaling;
    private final LiveActions actions = new LiveActions();
    private final SqsClient sqs;
    private boolean closed;

    private LocalAws(int sqsPort) {
        this.sqsServer = SQSRestServerBuilder.withInterface("127.0.0.1").withPort(sqsPort).withAWSRegion(REGION).start();
        this.sqsPort = sqsServer.waitUntilStarted().localAddress().getPort();
        this.dynamoDbLocal = DynamoDBEmbedded.create(true);
        this.dynamoDb = dynamoDbLocal.dynamoDbClient();
        this.autoScaling = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new LocalEc2(), new LocalAutoScaling(actions)));
        autoScaling.start();
        stubAutoScaling();
        this.sqs = SqsClient.builder()
                .endpointOverride(URI.create(sqsEndpoint()))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** One set of stand-ins per JVM, shared by every test class; SQS on any free port. */
    public static LocalAws shared() {
        return shared(0);
    }

    /** The JVM's stand-ins, started on first use with SQS on the given port (0 for any free port). */
    public static synchronized LocalAws shared(int sqsPort) {
        if (shared == null) {
            shared = new LocalAws(sqsPort);
            shared.useForSdk();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /**
     * Points the SDK's standard settings (the same ones AWS_REGION and AWS_ENDPOINT_URL_* set) at
     * the stand-ins, so Lifeguard's own client factory is exercised unchanged.
     */
    public void useForSdk() {
        System.setProperty("aws.region", REGION);
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.endpointUrlSqs", sqsEndpoint());
        System.setProperty("aws.endpointUrlAutoScaling", autoScalingEndpoint());
        // Local mode runs steps in dry-run; reads that dry-run still makes (Route53 listings)
        // and anything else must stay on this machine.
        System.setProperty("aws.endpointUrlEc2", autoScalingEndpoint());
        System.setProperty("aws.endpointUrlRoute53", autoScalingEndpoint());
        System.setProperty("aws.endpointUrlSsm", autoScalingEndpoint());
        System.setProperty("aws.endpointUrlSns", autoScalingEndpoint());
        System.setProperty("aws.endpointUrlEcs", autoScalingEndpoint());
    }

    /**
     * Answers DescribeAutoScalingInstances, CompleteLifecycleAction and RecordLifecycleActionHeartbeat
     * as Auto Scaling does, from {@link #actions()},
     * and, for local mode, EC2's DescribeInstances (see {@link LocalEc2}).
     */
    private void stubAutoScaling() {
        autoScaling.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Action=DescribeInstances"))
                .atPriority(10)
                .willReturn(aResponse().withTransformers(LocalEc2.NAME)));
        // Route53 for local mode: every hosted zone is empty.
        autoScaling.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                        com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching("/2013-04-01/hostedzone/[A-Z0-9]+/rrset/?"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                        .withBody("<ListResourceRecordSetsResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
                                + "<ResourceRecordSets/><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems>"
                                + "</ListResourceRecordSetsResponse>")));
        // Every hook has Auto Scaling's default heartbeat timeout, one hour.
        autoScaling.stubFor(post(urlEqualTo("/"))
                .withRequestBody(containing("Action=DescribeLifecycleHooks"))
                .atPriority(10)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                        .withBody("<DescribeLifecycleHooksResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
                                + "<DescribeLifecycleHooksResult><LifecycleHooks><member>"
                                + "<LifecycleHookName>{{formData request.body 'form' urlDecode=true}}{{form.[LifecycleHookNames.member.1]}}</LifecycleHookName>"
                                + "<HeartbeatTimeout>3600</HeartbeatTimeout><GlobalTimeout>172800</GlobalTimeout>"
                                + "<DefaultResult>ABANDON</DefaultResult></member></LifecycleHooks></DescribeLifecycleHooksResult>"
                                + "<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></DescribeLifecycleHooksResponse>")
                        .withTransformers("response-template")));
        for (String action : new String[] {"CompleteLifecycleAction", "RecordLifecycleActionHeartbeat", "DescribeAutoScalingInstances"}) {
            autoScaling.stubFor(post(urlEqualTo("/"))
                    .withRequestBody(containing("Action=" + action))
                    .atPriority(10)
                    .willReturn(aResponse().withTransformers(LocalAutoScaling.NAME)));
        }
    }

    public String createQueue(String name, int visibilityTimeoutSeconds) {
        return sqs.createQueue(r -> r.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds)))).queueUrl();
    }

    public String sqsEndpoint() {
        return "http://127.0.0.1:" + sqsPort;
    }

    public String autoScalingEndpoint() {
        return autoScaling.baseUrl();
    }

    public SqsClient sqs() {
        return sqs;
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb;
    }

    /** The lifecycle actions the Auto Scaling stand-in knows: start one for every hook a test sends. */
    public LiveActions actions() {
        return actions;
    }

    public WireMockServer autoScaling() {
        return autoScaling;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sqs.close();
        autoScaling.stop();
        dynamoDbLocal.shutdown();
        sqsServer.stopAndWait();
    }
}
