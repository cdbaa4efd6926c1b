package dev.lifeguard.aws;

import dev.lifeguard.event.AccountRegion;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lifeguard.local.FleetStandIn;
import dev.lifeguard.steps.InstanceFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** DescribeInstances in batches, over the wire to the fleet stand-in, which counts every call. */
class Ec2InstancesTest {
    private static FleetStandIn fleet;
    private static Ec2Client ec2;

    @BeforeAll
    static void start() {
        fleet = FleetStandIn.start();
        ec2 = Ec2Client.builder().endpointOverride(fleet.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stop() {
        ec2.close();
        fleet.close();
    }

    @Test
    void lookUpsArrivingTogetherShareOneCallAndThrottlingIsWaitedOut() {
        fleet.reset();
        fleet.throttleNext("DescribeInstances", 2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(String.format("i-%017x", 0xdef000L + i));
        }
        try (Ec2Instances instances = new Ec2Instances(ec2)) {
            List<CompletableFuture<Optional<InstanceFacts>>> answers = ids.stream().map(id -> instances.lookUp(AccountRegion.UNSAID, id)).toList();
            for (int i = 0; i < ids.size(); i++) {
                InstanceFacts facts = answers.get(i).join().orElseThrow();
                assertEquals(ids.get(i), facts.instanceId());
                assertEquals(FleetStandIn.privateIp(ids.get(i)), facts.privateIp());
                assertEquals("running", facts.state());
            }
        }
        assertEquals(3, fleet.calls("DescribeInstances"), "300 look-ups at once: two throttled calls, then one answer for all");
    }
}
