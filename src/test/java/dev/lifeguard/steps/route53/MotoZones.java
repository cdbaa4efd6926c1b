package dev.lifeguard.steps.route53;

import dev.lifeguard.local.MotoServer;
import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepRequest;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/** Hosted zones in moto_server and the event the Route53 step tests share. */
final class MotoZones {
    static final String INSTANCE = "i-0123456789abcdef0";
    static final String PRIVATE_IP = "10.0.0.5";
    static final String PRIVATE_DNS = "ip-10-0-0-5.ec2.internal";

    private MotoZones() {
    }

    /** Every Route53 call the shared client made, to prove "refused before any call". */
    static final AtomicInteger CALLS = new AtomicInteger();
    private static Route53Client shared;

    /** One moto_server for the Route53 tests of this JVM, and a client that counts its calls. */
    static synchronized Route53Client route53() {
        if (shared == null) {
            try {
                MotoServer moto = MotoServer.start(java.nio.file.Path.of("target/route53-moto.log"));
                shared = client(moto.endpoint(), CALLS);
                Runtime.getRuntime().addShutdownHook(new Thread(moto::close));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return shared;
    }

    /** A client for moto that counts the API calls it makes. */
    static Route53Client client(String endpoint, AtomicInteger calls) {
        return Route53Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.AWS_GLOBAL)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(ApacheHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        calls.incrementAndGet();
                    }
                }))
                .build();
    }

    /** A new zone with a name of its own; returns the bare id. */
    static String createZone(Route53Client route53, String name) {
        String id = route53.createHostedZone(r -> r.name(name).callerReference(UUID.randomUUID().toString()))
                .hostedZone().id();
        return id.substring(id.lastIndexOf('/') + 1);
    }

    static String uniqueZoneName() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
    }

    static ResourceRecordSet record(String name, String type, long ttl, String... values) {
        return ResourceRecordSet.builder().name(name).type(type).ttl(ttl)
                .resourceRecords(Arrays.stream(values).map(v -> ResourceRecord.builder().value(v).build()).toList())
                .build();
    }

    static void create(Route53Client route53, String zone, ResourceRecordSet... sets) {
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.changes(Arrays.stream(sets)
                .map(s -> software.amazon.awssdk.services.route53.model.Change.builder().action(ChangeAction.CREATE)
                        .resourceRecordSet(s).build())
                .toList())));
    }

    /**
     * The zone as listed over the wire: "name TYPE [set]" → "ttl value,value". Values keep the
     * order Route53 reports, so a reordered or rebuilt set shows up as a difference.
     */
    static Map<String, String> snapshot(Route53Client route53, String zone) {
        Map<String, String> records = new TreeMap<>();
        for (ResourceRecordSet set : route53.listResourceRecordSetsPaginator(r -> r.hostedZoneId(zone)).resourceRecordSets()) {
            String key = set.name() + " " + set.typeAsString() + (set.setIdentifier() == null ? "" : " [" + set.setIdentifier() + "]");
            String values = set.resourceRecords().stream().map(ResourceRecord::value).collect(Collectors.joining(","));
            records.put(key, set.ttl() + " " + values + (set.weight() == null ? "" : " w" + set.weight()));
        }
        return records;
    }

    static LifecycleEvent terminated() {
        return new LifecycleEvent(Kind.TERMINATED, Kind.TERMINATED.eventName(), Envelope.DIRECT, "web-asg", INSTANCE,
                null, null, null, "req-" + UUID.randomUUID(), "msg-1", "2026-01-01T00:00:00Z", null, null, null, null,
                "At 2026-01-01T00:00:00Z an instance was taken out of service");
    }

    static LifecycleEvent launched() {
        return new LifecycleEvent(Kind.LAUNCHED, Kind.LAUNCHED.eventName(), Envelope.DIRECT, "web-asg", INSTANCE,
                null, null, null, "req-" + UUID.randomUUID(), "msg-2", "2026-01-01T00:00:00Z", null, null, null, null,
                "At 2026-01-01T00:00:00Z an instance was started");
    }

    static InstanceFacts facts() {
        // EC2 reports "" for the public DNS name of an instance without a public address.
        return new InstanceFacts(INSTANCE, "terminated", PRIVATE_IP, null, PRIVATE_DNS, "", "web-1");
    }

    static StepRequest request(LifecycleEvent event, InstanceFacts facts, Map<String, Object> config, boolean dryRun, Heartbeat heartbeat) {
        return new StepRequest(event, facts, new StepConfig("dns", config), dryRun, heartbeat);
    }
}
