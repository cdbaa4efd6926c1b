package dev.lifeguard;

import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.QueueAddress;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.intake.DeadLetterQueue;
import dev.lifeguard.intake.FailureHandler;
import dev.lifeguard.steps.DryRunStep;
import dev.lifeguard.store.DynamoDbIdempotentRepository;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.OutcomeRecorder;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds every bean the routes use. AWS clients already bound in the registry (local mode and
 * tests bind in-process stand-ins) are used as they are; otherwise they are built from the
 * SDK's standard settings.
 */
public class LifeguardConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        Settings settings = Settings.from(key -> properties.resolveProperty(key).orElse(null));
        Registry registry = camelContext.getRegistry();

        SqsClient sqs = boundOrBuilt(registry, "sqsClient", SqsClient.class, AwsClients::sqs);
        DynamoDbClient dynamoDb = boundOrBuilt(registry, "dynamoDbClient", DynamoDbClient.class, AwsClients::dynamoDb);
        AutoScalingClient autoScaling = boundOrBuilt(registry, "autoScalingClient", AutoScalingClient.class, AwsClients::autoScaling);

        // Resolve queue names to URLs and check the table now, so a wrong setting stops start-up
        // with the setting's name instead of failing on every poll.
        QueueAddress queue = QueueAddress.resolve(sqs, settings.queue(), "LIFEGUARD_QUEUE (lifeguard.queue)");
        QueueAddress deadLetterQueue = QueueAddress.resolve(sqs, settings.deadLetterQueue(),
                "LIFEGUARD_DEAD_LETTER_QUEUE (lifeguard.dead-letter-queue)");
        properties.addOverrideProperty("lifeguard.queue.name", queue.name());
        properties.addOverrideProperty("lifeguard.queue.url", queue.url());
        LifeguardTable.ensureExists(dynamoDb, settings.table(), settings.createTable());

        Clock clock = Clock.systemUTC();
        OutcomeRecorder outcomes = new OutcomeRecorder(dynamoDb, settings.table(), settings.dryRun(), clock);
        LifecycleActions lifecycleActions = new LifecycleActions(autoScaling);
        registry.bind("settings", settings);
        registry.bind("eventParser", new EventParser());
        registry.bind("claims", new DynamoDbIdempotentRepository(dynamoDb, settings.table(), workerId(),
                settings.claimLeaseSeconds(), clock));
        registry.bind("outcomes", outcomes);
        registry.bind("lifecycleActions", lifecycleActions);
        registry.bind("failures", new FailureHandler(settings, outcomes, lifecycleActions,
                new DeadLetterQueue(sqs, deadLetterQueue.url())));
        registry.bind("dryRun", new DryRunStep());
    }

    private static <T> T boundOrBuilt(Registry registry, String name, Class<T> type, Supplier<T> build) {
        T bound = registry.lookupByNameAndType(name, type);
        if (bound != null) {
            return bound;
        }
        T built = build.get();
        registry.bind(name, type, built);
        return built;
    }

    /** Who holds a claim: the host (the ECS task's hostname) and process, for the record. */
    private static String workerId() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }
}
