package dev.lifeguard;

import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.QueueAddress;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.intake.DeadLetterQueue;
import dev.lifeguard.intake.FailureHandler;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepRunner;
import dev.lifeguard.steps.chef.ChefCleanup;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.route53.Route53Cleanup;
import dev.lifeguard.steps.route53.Route53Upsert;
import dev.lifeguard.steps.salt.SaltAcceptKey;
import dev.lifeguard.steps.salt.SaltDeleteKey;
import dev.lifeguard.steps.salt.SaltState;
import dev.lifeguard.steps.ssm.SsmCommand;
import dev.lifeguard.store.InstanceFactsStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

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
        Ec2Client ec2 = boundOrBuilt(registry, "ec2Client", Ec2Client.class, AwsClients::ec2);
        Route53Client route53 = boundOrBuilt(registry, "route53Client", Route53Client.class, AwsClients::route53);
        SsmClient ssm = boundOrBuilt(registry, "ssmClient", SsmClient.class, AwsClients::ssm);

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
        registry.bind("eventParser", new EventParser());
        registry.bind("claims", new DynamoDbIdempotentRepository(dynamoDb, settings.table(), workerId(),
                settings.claimLeaseSeconds(), clock));
        registry.bind("outcomes", outcomes);
        registry.bind("lifecycleActions", lifecycleActions);

        // Every kind of step a profile may name, by its type.
        CommandRunner commands = new CommandRunner(camelContext.createProducerTemplate());
        Map<String, Step> steps = Stream.of(
                        new ChefCleanup(commands),
                        new SaltAcceptKey(commands),
                        new SaltState(commands),
                        new SaltDeleteKey(commands),
                        new Route53Cleanup(route53),
                        new Route53Upsert(route53),
                        new SsmCommand(ssm))
                .collect(Collectors.toMap(Step::type, step -> step));
        ProfileStore profiles = loadProfiles(settings,
                steps.values().stream().collect(Collectors.toMap(Step::type, Step::settings)), clock);
        ExecutorService stepThreads = camelContext.getExecutorServiceManager()
                .newFixedThreadPool(this, "lifeguard-steps", settings.stepThreads());
        registry.bind("steps", new StepRunner(profiles, steps, new Ec2Instances(ec2),
                new InstanceFactsStore(dynamoDb, settings.table(), clock), lifecycleActions, stepThreads,
                settings.dryRun(), Duration.ofSeconds(settings.heartbeatSeconds()), clock));
        registry.bind("failures", new FailureHandler(settings, outcomes, lifecycleActions,
                new DeadLetterQueue(sqs, deadLetterQueue.url()), profiles));
    }

    private static ProfileStore loadProfiles(Settings settings, Map<String, java.util.Set<String>> stepTypes, Clock clock) {
        Path file = Path.of(settings.profiles());
        if (!Files.isReadable(file)) {
            throw new MisconfiguredException("profiles file " + file.toAbsolutePath() + " cannot be read; set LIFEGUARD_PROFILES (lifeguard.profiles)");
        }
        try {
            return new ProfileStore(file, new ProfileLoader(stepTypes), clock);
        } catch (ProfileLoader.InvalidProfilesException e) {
            throw new MisconfiguredException("profiles file " + file + " is invalid: " + e.getMessage(), e);
        }
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
