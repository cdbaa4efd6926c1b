package dev.lifeguard.aws;

import dev.lifeguard.event.AccountRegion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.local.FleetStandIn;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;

/** DescribeAutoScalingInstances over the wire to the fleet stand-in, which counts every call. */
class AutoScalingInstancesTest {
    private static FleetStandIn fleet;
    private static AutoScalingClient autoScaling;

    @BeforeAll
    static void start() {
        fleet = FleetStandIn.start();
        autoScaling = client(fleet.endpoint());
    }

    @AfterAll
    static void stop() {
        autoScaling.close();
        fleet.close();
    }

    @Test
    void aBurstOfLookUpsSharesCallsOfFiftyIds() {
        fleet.reset();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            String id = String.format("i-%017x", 0xabc000L + i);
            ids.add(id);
            fleet.actions().place(id, i % 2 == 0 ? "web" : "workers", i % 3 == 0 ? "Terminating:Wait" : "InService");
        }
        try (AutoScalingInstances instances = new AutoScalingInstances(autoScaling, Duration.ofMillis(50))) {
            List<CompletableFuture<Optional<AutoScalingInstances.Membership>>> answers = new ArrayList<>();
            ids.forEach(id -> answers.add(instances.lookUp(AccountRegion.UNSAID, id)));
            answers.add(instances.lookUp(AccountRegion.UNSAID, "i-00000000000000bad"));

            for (int i = 0; i < ids.size(); i++) {
                AutoScalingInstances.Membership membership = answers.get(i).join().orElseThrow();
                assertEquals(ids.get(i), membership.instanceId());
                assertEquals(i % 2 == 0 ? "web" : "workers", membership.groupName());
                assertEquals(i % 3 == 0 ? "Terminating:Wait" : "InService", membership.lifecycleState());
            }
            assertEquals(Optional.empty(), answers.get(ids.size()).join(), "an instance in no group");
        }
        assertEquals(3, fleet.calls("DescribeAutoScalingInstances"), "121 look-ups at once: 50 + 50 + 21");
    }

    @Test
    void aSecondLookUpOfTheSameIdSharesTheFirstsAnswer() {
        fleet.reset();
        fleet.actions().place("i-0123456789abcdef0", "web", "Pending:Wait");
        try (AutoScalingInstances instances = new AutoScalingInstances(autoScaling, Duration.ofMillis(50))) {
            CompletableFuture<Optional<AutoScalingInstances.Membership>> first = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef0");
            CompletableFuture<Optional<AutoScalingInstances.Membership>> second = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef0");
            assertEquals("Pending:Wait", first.join().orElseThrow().lifecycleState());
            assertEquals(first.join(), second.join());
        }
        assertEquals(1, fleet.calls("DescribeAutoScalingInstances"));
    }

    @Test
    void throttlingIsWaitedOutOnceForTheWholeBatchAndNeverFailsALookUp() {
        fleet.reset();
        fleet.actions().place("i-0123456789abcdef2", "web", "Terminating:Wait");
        fleet.actions().place("i-0123456789abcdef3", "web", "Terminating:Wait");
        // The client does not retry: every throttled answer reaches the batch, which backs off itself.
        fleet.throttleNext("DescribeAutoScalingInstances", 3);
        try (AutoScalingInstances instances = new AutoScalingInstances(autoScaling, Duration.ofMillis(10))) {
            CompletableFuture<Optional<AutoScalingInstances.Membership>> a = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef2");
            CompletableFuture<Optional<AutoScalingInstances.Membership>> b = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef3");
            assertEquals("Terminating:Wait", a.join().orElseThrow().lifecycleState());
            assertEquals("Terminating:Wait", b.join().orElseThrow().lifecycleState());
        }
        assertEquals(4, fleet.calls("DescribeAutoScalingInstances"), "three throttled calls for both look-ups, then one answer");
    }

    @Test
    void whenAutoScalingCannotBeAskedEveryLookUpOfTheBatchFails() {
        // Nothing listens there: the look-ups fail, they are never answered "in no group".
        try (AutoScalingClient unreachable = client(URI.create("http://127.0.0.1:9"));
             AutoScalingInstances instances = new AutoScalingInstances(unreachable, Duration.ofMillis(10))) {
            CompletableFuture<Optional<AutoScalingInstances.Membership>> a = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef0");
            CompletableFuture<Optional<AutoScalingInstances.Membership>> b = instances.lookUp(AccountRegion.UNSAID, "i-0123456789abcdef1");
            CompletionException error = assertThrows(CompletionException.class, a::join);
            assertTrue(error.getCause() instanceof SdkClientException, error.toString());
            assertThrows(CompletionException.class, b::join);
        }
    }

    private static AutoScalingClient client(URI endpoint) {
        return AutoScalingClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }
}
