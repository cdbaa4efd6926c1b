package dev.lifeguard;

import dev.lifeguard.accounts.Accounts;
import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.AwsSetup;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.LifecycleActions;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.aws.PollingSqsClient;
import dev.lifeguard.aws.SqsMessages;
import dev.lifeguard.engine.EventEngine;
import dev.lifeguard.engine.FinishSteps;
import dev.lifeguard.engine.FailurePolicy;
import dev.lifeguard.engine.GracefulShutdown;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.Kind;
import dev.lifeguard.health.ReachableCheck;
import dev.lifeguard.health.TableProbe;
import dev.lifeguard.intake.FailureHandler;
import dev.lifeguard.intake.IntakeQueues;
import dev.lifeguard.metrics.LifeguardMetrics;
import dev.lifeguard.notify.Notifier;
import dev.lifeguard.observe.DeadLetterDepth;
import dev.lifeguard.observe.FleetReads;
import dev.lifeguard.observe.StatusEndpoints;
import dev.lifeguard.observe.StatusReport;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.ProfileStore;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.Toolbox;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.store.Claims;
import dev.lifeguard.store.CommandWaits;
import dev.lifeguard.store.FleetView;
import dev.lifeguard.store.InstanceFactsStore;
import dev.lifeguard.store.LifeguardTable;
import dev.lifeguard.store.OutcomeRecorder;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds every bean the routes use. AWS clients already bound in the registry (local mode and
 * tests bind in-process stand-ins) are used as they are; otherwise they are built from the
 * SDK's standard settings.
 */
public class LifeguardConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(LifeguardConfiguration.class);

    @Override
    public void configure(CamelContext camelContext) {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        Settings settings = Settings.from(key -> properties.resolveProperty(key).orElse(null));
        // routes/intake.camel.yaml reads these as placeholders: it gets the values checked above.
        settings.routeProperties().forEach(properties::addOverrideProperty);
        Registry registry = camelContext.getRegistry();

        Clock clock = Clock.systemUTC();
        Outages outages = new Outages(clock);
        // The registry Camel's metrics endpoint serves (camel-micrometer-prometheus binds it by this name).
        MeterRegistry meters = boundOrBuilt(registry, "metricsRegistry", MeterRegistry.class,
                () -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        LifeguardMetrics metrics = new LifeguardMetrics(meters, settings.metricsGroupLabel(), settings.metricsAccountLabel());
        registry.bind("metrics", metrics);
        boolean sqsBound = registry.lookupByNameAndType("sqsClient", SqsClient.class) != null;
        // One connection for each thread that may call SQS at once: intake (hiding, releasing,
        // dead-lettering), the engine's work threads (retries) and its scheduler (batches).
        SqsClient sqs = StartupChecks.aws(() -> boundOrBuilt(registry, "sqsClient", SqsClient.class,
                () -> AwsClients.sqs(settings.intakeThreads() + EventEngine.WORK_THREADS + 1, outages)));
        // Polls get their own client, stopped at shutdown to end a long poll at once; a client
        // bound by a test or local mode is shared and left open.
        PollingSqsClient polling = new PollingSqsClient(
                sqsBound ? sqs : AwsClients.sqsPolling(settings.consumers(), outages), !sqsBound);
        registry.bind("sqsPollingClient", SqsClient.class, polling);
        DynamoDbClient dynamoDb = boundOrBuilt(registry, "dynamoDbClient", DynamoDbClient.class, () -> AwsClients.dynamoDb(outages));
        AutoScalingClient autoScaling = boundOrBuilt(registry, "autoScalingClient", AutoScalingClient.class, () -> AwsClients.autoScaling(outages));
        Ec2Client ec2 = boundOrBuilt(registry, "ec2Client", Ec2Client.class, () -> AwsClients.ec2(outages));
        Route53Client route53 = boundOrBuilt(registry, "route53Client", Route53Client.class, () -> AwsClients.route53(outages));
        SsmClient ssm = boundOrBuilt(registry, "ssmClient", SsmClient.class, () -> AwsClients.ssm(outages));
        EcsClient ecs = boundOrBuilt(registry, "ecsClient", EcsClient.class, () -> AwsClients.ecs(outages));
        // Notifications: routes/notify.camel.yaml's aws2-sns endpoint uses it (amazonSNSClient=#snsClient).
        SnsClient sns = boundOrBuilt(registry, "snsClient", SnsClient.class, () -> AwsClients.sns(outages));

        String worker = workerId();
        // Calls for an event go to its own account and region (lifeguard.accounts); with no member
        // account listed, to this service's own, as the clients above were built.
        Accounts accounts = ServedAccounts.of(settings.accountRoles(), settings.accountsExternalId(), AwsSetup.region(autoScaling),
                () -> boundOrBuilt(registry, "stsClient", StsClient.class, () -> AwsClients.sts(outages)), worker);
        if (accounts.many()) {
            LOG.info("Serving account {} (this one) and {} in their own regions; member roles: {}", accounts.home().account(),
                    accounts.members(), settings.accountRoles().values());
        }
        PerAccount<AutoScalingClient> autoScalings = new PerAccount<>(autoScaling, accounts,
                (where, credentials) -> AwsClients.elsewhere(AutoScalingClient.builder(), autoScaling, where, credentials, outages));
        PerAccount<Ec2Client> ec2s = new PerAccount<>(ec2, accounts,
                (where, credentials) -> AwsClients.elsewhere(Ec2Client.builder(), ec2, where, credentials, outages));
        PerAccount<SsmClient> ssms = new PerAccount<>(ssm, accounts,
                (where, credentials) -> AwsClients.elsewhere(SsmClient.builder(), ssm, where, credentials, outages));
        PerAccount<Route53Client> route53s = new PerAccount<>(route53, accounts,
                (where, credentials) -> AwsClients.elsewhere(Route53Client.builder(), route53, where, credentials, outages));
        PerAccount<EcsClient> ecss = new PerAccount<>(ecs, accounts,
                (where, credentials) -> AwsClients.elsewhere(EcsClient.builder(), ecs, where, credentials, outages));

        // Resolve queue names to URLs and check the table now, so a wrong setting stops start-up
        // with the setting's name instead of failing on every poll.
        IntakeQueues queues = StartupChecks.aws(() -> IntakeQueues.resolve(sqs, AwsSetup.region(sqs),
                new IntakeQueues.Named(Map.of(settings.queue(), settings.deadLetterQueue()), Settings.QUEUE.label(),
                        Settings.DEAD_LETTER_QUEUE.label()),
                new IntakeQueues.Named(settings.moreQueues(), Settings.MORE_QUEUES.label(), Settings.MORE_QUEUES.label())));
        // One route per queue, from routes/intake.camel.yaml's template, made once the route files are loaded.
        registry.bind("intakeRoutes", queues.routes());
        StartupChecks.aws(() -> {
            LifeguardTable.ensureExists(dynamoDb, settings.table(), settings.createTable());
            return null;
        });
        // Readiness: DOWN while the queue or the table cannot be reached (Camel's own context
        // check adds DOWN while starting or shutting down).
        registry.bind("queueReadiness", new ReachableCheck("queue",
                () -> outages.outage("Sqs").map(cause -> "SQS does not answer for " + queues.names() + ": " + cause)));
        registry.bind("tableReadiness", new ReachableCheck("table", new TableProbe(dynamoDb, settings.table(), outages, clock)));

        OutcomeRecorder outcomes = new OutcomeRecorder(dynamoDb, settings.table(), worker, settings.dryRun(),
                settings.retention(), clock);
        LifecycleActions lifecycleActions = new LifecycleActions(autoScalings);
        SqsMessages messages = new SqsMessages(sqs, Duration.ofSeconds(settings.visibilitySeconds()), clock);
        registry.bind("eventParser", new EventParser(accounts.many() ? accounts::place : UnaryOperator.identity()));
        registry.bind("outcomes", outcomes);
        registry.bind("lifecycleActions", lifecycleActions);
        registry.bind("messages", messages);

        // Every kind of step a profile may name, by its type.
        CommandRunner commands = new CommandRunner(camelContext.createProducerTemplate());
        // Built on first use: only a chef-cleanup step with a secretsmanager: key calls it.
        Supplier<SecretsManagerClient> secrets = memoized(() -> boundOrBuilt(registry, "secretsManagerClient",
                SecretsManagerClient.class, () -> AwsClients.secretsManager(outages)));
        Map<String, Step> steps = Toolbox.steps(commands, route53s, ssms, ecss, secrets, clock);
        Path home = Path.of(properties.resolveProperty("lifeguard.home").orElse(""));
        ProfileStore profiles = loadProfiles(home.resolve(settings.profiles()), steps, clock, metrics);
        // Intake and the engine give up, and choose a hook's failure result, by the same policy.
        FailurePolicy failurePolicy = settings.failurePolicy(profiles::current);
        FailureHandler failures = new FailureHandler(failurePolicy, settings.visibilitySeconds(), outcomes,
                queues.deadLetterQueues(sqs), messages, metrics);
        registry.bind("failures", failures);
        // Called last by routes/finish.camel.yaml: notifications never change an event's result.
        registry.bind("notifications", new Notifier(profiles, camelContext.createProducerTemplate(), metrics, clock));

        // Hooks arriving together are confirmed with one DescribeAutoScalingInstances call (up to 50
        // ids) per account and region. Gathering for a second fills most calls even when the hooks
        // of a scale-in are spread over several accounts; a hook waits that long at most before its
        // first step, nothing next to its timeout.
        AutoScalingInstances autoScalingInstances = new AutoScalingInstances(autoScalings, Duration.ofSeconds(1));
        EventEngine engine = new EventEngine(new EventEngine.Needs(profiles, steps, new Ec2Instances(ec2s), autoScalingInstances,
                new InstanceFactsStore(dynamoDb, settings.table(), settings.retention(), clock),
                new Claims(dynamoDb, settings.table(), worker, Duration.ofSeconds(settings.claimLeaseSeconds()),
                        settings.retention(), clock),
                messages, lifecycleActions, camelContext.createProducerTemplate(), failurePolicy,
                settings.stepThreads(), settings.dryRun(),
                Duration.ofSeconds(settings.heartbeatSeconds()), clock, metrics,
                new EventEngine.PushedStatuses(settings.ssmStatusEvents(), Duration.ofSeconds(settings.ssmLookSeconds()),
                        new CommandWaits(dynamoDb, settings.table(), settings.retention(), clock), outcomes)));
        registry.bind("engine", engine);
        // routes/finish.camel.yaml's two steps that change something in AWS.
        registry.bind("finishSteps", new FinishSteps(lifecycleActions, outcomes, metrics));
        registry.bind("commandStatuses", engine.commandStatuses());
        // GET /observe/status, the page at / and the lifeguard developer console read this; the page's
        // fleet view (GET /observe/fleet) reads the table's in-flight index.
        StatusReport status = new StatusReport(worker, engine, profiles, queues.all().stream()
                .map(q -> new DeadLetterDepth(sqs, q.deadLetters().url(), clock)).toList());
        registry.bind("statusReport", status);
        try {
            camelContext.addService(new StatusEndpoints(status, new FleetReads(new FleetView(dynamoDb, settings.table()), clock)));
        } catch (Exception e) {
            throw org.apache.camel.RuntimeCamelException.wrapRuntimeException(e);
        }
        camelContext.getManagementStrategy().addEventNotifier(new GracefulShutdown(polling::stop, engine,
                Duration.ofSeconds(settings.shutdownGraceSeconds())));

        // The one start-up line: where, as whom and on what this replica works (never a secret).
        LOG.info("Lifeguard starting: region {}, endpoints overridden: {}, credentials from {}, worker {}, queues {},"
                        + " table {}, profiles {}, dry-run {}",
                AwsSetup.region(sqs), AwsSetup.endpointOverrides(List.of(Map.entry("sqs", sqs), Map.entry("dynamodb", dynamoDb),
                        Map.entry("autoscaling", autoScaling), Map.entry("ec2", ec2), Map.entry("route53", route53),
                        Map.entry("ssm", ssm), Map.entry("ecs", ecs), Map.entry("sns", sns))),
                AwsSetup.credentialsSource(sqs), worker, queues.describe(), settings.table(),
                settings.profiles(), settings.dryRun());
    }

    /**
     * Every kind must have its route: a route file renamed or removed would otherwise fail every
     * event of that kind. Called once the routes are loaded, before anything starts.
     */
    public static void checkRoutes(CamelContext context) {
        Set<String> missing = Arrays.stream(Kind.values())
                .filter(Kind::isDispatched)
                .map(Kind::route)
                .filter(route -> context.getRoute(route) == null && context.getCamelContextExtension()
                        .getContextPlugin(Model.class).getRouteDefinition(route) == null)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        if (!missing.isEmpty()) {
            throw new MisconfiguredException("routes/ has no route for " + missing + ": every kind of event needs its"
                    + " routes/<route>.camel.yaml with that route id");
        }
    }

    private static ProfileStore loadProfiles(Path file, Map<String, Step> steps, Clock clock,
                                             LifeguardMetrics metrics) {
        if (!Files.isReadable(file)) {
            throw new MisconfiguredException("profiles file " + file.toAbsolutePath() + " cannot be read; set " + Settings.PROFILES.label());
        }
        try {
            return new ProfileStore(file, ProfileLoader.of(steps), clock, metrics);
        } catch (ProfileLoader.InvalidProfilesException e) {
            throw new MisconfiguredException("profiles file " + file + " is invalid: " + e.getMessage(), e);
        }
    }

    private static <T> Supplier<T> memoized(Supplier<T> build) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = build.get();
                }
                return value;
            }
        };
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

    /**
     * Who holds a claim: the host (the ECS task's hostname) and process, for the record, and a
     * random part, since a restarted container has the same host name and process id.
     */
    private static String workerId() {
        return ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
