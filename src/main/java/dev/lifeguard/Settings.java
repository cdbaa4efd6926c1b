package dev.lifeguard;

import dev.lifeguard.event.Identifiers;
import dev.lifeguard.engine.FailurePolicy;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.log.LogFormat;
import dev.lifeguard.profiles.Profiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Lifeguard's own settings, read once at start-up from {@code config/application.properties}
 * and environment variables (LIFEGUARD_QUEUE overrides lifeguard.queue, and so on).
 *
 * <p>Each setting is declared once below, with its type, default and description; {@link #ALL}
 * lists them in the order the README's table and the properties file show them.
 */
public record Settings(
        String queue,
        String deadLetterQueue,
        Map<String, String> moreQueues,
        String table,
        boolean createTable,
        boolean dryRun,
        int maxAttempts,
        int claimLeaseSeconds,
        HookResult launchingFailureResult,
        HookResult terminatingFailureResult,
        String profiles,
        int heartbeatSeconds,
        int stepThreads,
        int visibilitySeconds,
        int shutdownGraceSeconds,
        int consumers,
        int intakeThreads,
        int retentionDays,
        boolean metricsGroupLabel,
        int pollWaitSeconds,
        int pollMaxMessages,
        boolean ssmStatusEvents,
        int ssmLookSeconds,
        Map<String, String> accountRoles,
        String accountsExternalId,
        boolean metricsAccountLabel) {

    /** DynamoDB's own rule for table names. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

    private static final Setting.Type<String> TABLE_NAME_TYPE = (setting, table) -> {
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new MisconfiguredException(setting.label() + " '" + table + "' is not a DynamoDB table name:"
                    + " 3 to 255 letters, digits, '_', '-' and '.'");
        }
        return table;
    };

    private static final Setting.Type<HookResult> HOOK_RESULT = (setting, value) -> HookResult.choice(value).orElseThrow(() ->
            new MisconfiguredException(setting.name() + " must be " + HookResult.describeChoices() + ", not '" + value + "'"));

    private static final Setting.Type<Integer> PORT = (setting, value) -> {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new MisconfiguredException(setting.label() + " must be a port number, or 0 to turn the health and metrics"
                + " endpoint off, not '" + value + "'");
    };

    public static final Setting<String> QUEUE = Setting.required("lifeguard.queue", Setting.TEXT,
            "Queue to consume: a queue name (resolved in the SDK's region) or a full queue URL.");
    public static final Setting<String> DEAD_LETTER_QUEUE = Setting.required("lifeguard.dead-letter-queue", Setting.TEXT,
            "Queue that receives refused messages and events given up on, with the reason in the `LifeguardReason`"
                    + " message attribute. Name or URL.");
    public static final Setting<String> MORE_QUEUES = Setting.of("lifeguard.more-queues", Setting.TEXT, "",
            "More queues to consume besides `lifeguard.queue`, each with its own dead-letter queue: `queue=dead-letter-queue`"
                    + " pairs separated by commas, names or URLs in this service's account and region. Each queue gets its own"
                    + " route (`sqs-intake-<queue name>`), and a message it cannot act on goes to that queue's dead-letter"
                    + " queue (see [Several queues](#several-queues)).");
    public static final Setting<String> TABLE = Setting.of("lifeguard.table", TABLE_NAME_TYPE, "lifeguard",
            "DynamoDB table for claims, outcomes and instance facts: one item per event, and one per instance"
                    + " (key `pk`, type S).");
    public static final Setting<Boolean> TABLE_CREATE = Setting.of("lifeguard.table.create", Setting.FLAG, "false",
            "Create the table when it does not exist (on-demand, with the indexes `by-instance`, `by-group` and"
                    + " `in-flight` and TTL on `expiresAt`). Meant for local use and tests.");
    public static final Setting<Integer> RETENTION_DAYS = Setting.of("lifeguard.table.retention-days", Setting.POSITIVE, "30",
            "Days the table keeps a record (claim, outcome, refusal, instance facts) after its last write: each write"
                    + " sets `expiresAt` (epoch seconds), the table's DynamoDB TTL attribute (see"
                    + " [The outcome record](#the-outcome-record)).");
    public static final Setting<Boolean> DRY_RUN = Setting.of("lifeguard.dry-run", Setting.FLAG, "false",
            "Log what would run instead of running destructive steps; outcomes are still recorded.");
    public static final Setting<String> PROFILES = Setting.of("lifeguard.profiles", Setting.TEXT, "config/profiles.yaml",
            "Path of the per-group profiles file: which steps run for which group and event (see [Profiles](#profiles))."
                    + " Checked for changes every few seconds; an edit that does not load is rejected and the previous stays.");
    public static final Setting<Integer> POLL_WAIT_SECONDS = Setting.of("lifeguard.poll.wait-seconds",
            Setting.between(0, 20), "20", "Seconds one long poll of the queue waits for messages (SQS allows 0 to 20; 20 costs least).");
    public static final Setting<Integer> VISIBILITY_SECONDS = Setting.of("lifeguard.visibility-seconds", Setting.POSITIVE, "60",
            "Seconds a received message stays hidden from other consumers; extended (in batches) while its event is in"
                    + " progress. Also the delay before a failed attempt is retried, and how soon a dead replica's messages"
                    + " come back.");
    public static final Setting<Integer> POLL_MAX_MESSAGES = Setting.of("lifeguard.poll.max-messages",
            Setting.between(1, 10), "10", "Messages one poll takes (1 to 10). Each is started and the poll goes on at once, so no message waits for"
                    + " another's steps.");
    public static final Setting<Integer> CONSUMERS = Setting.of("lifeguard.consumers", Setting.POSITIVE, "2",
            "Threads polling the queue (each holds one connection in a long poll).");
    public static final Setting<Integer> INTAKE_THREADS = Setting.of("lifeguard.intake.threads", Setting.POSITIVE, "8",
            "Threads that parse and claim received messages side by side (a claim is a DynamoDB write).");
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.of("lifeguard.max-attempts", Setting.POSITIVE, "5",
            "Deliveries of one message before Lifeguard gives up: it then completes a hook with its failure result,"
                    + " records the outcome and dead-letters the message. Keep it below the queue's own redrive"
                    + " `maxReceiveCount` so that Lifeguard, not SQS, has the last word.");
    public static final Setting<Integer> CLAIM_LEASE_SECONDS = Setting.of("lifeguard.claim.lease-seconds",
            Setting.POSITIVE, "300", "Seconds a worker's claim on an event lasts without renewal. The owner renews it every third of this while"
                    + " the event is in progress; a replica that dies is taken over this long after.");
    public static final Setting<HookResult> LAUNCHING_ON_FAILURE = Setting.of("lifeguard.hook.launching.on-failure",
            HOOK_RESULT, HookResult.ABANDON.name(), "Result for a launching hook given up on, unless its profile's"
                    + " `on-failure` names one (`ABANDON` terminates the instance).");
    public static final Setting<HookResult> TERMINATING_ON_FAILURE = Setting.of("lifeguard.hook.terminating.on-failure",
            HOOK_RESULT, HookResult.CONTINUE.name(), "Result for a terminating hook given up on, unless its profile's"
                    + " `on-failure` names one (the instance goes either way).");
    public static final Setting<Integer> HEARTBEAT_SECONDS = Setting.of("lifeguard.hook.heartbeat-seconds",
            Setting.POSITIVE, "600", "Longest gap between two `RecordLifecycleActionHeartbeat` calls for a hook whose steps run. Each hook is"
                    + " beaten at a third of its own heartbeat timeout (from `DescribeLifecycleHooks`), or this, whichever"
                    + " is shorter.");
    public static final Setting<Integer> STEP_THREADS = Setting.of("lifeguard.steps.threads", Setting.POSITIVE, "16",
            "Threads running steps that hold a thread (knife, salt, Route53); waiting steps (SSM commands) hold none"
                    + " while they wait. The steps of one event run in parallel.");
    public static final Setting<Boolean> SSM_STATUS_EVENTS = Setting.of("lifeguard.ssm.status-events", Setting.FLAG, "false",
            "Whether SSM's \"EC2 Command Invocation Status-change Notification\" events reach the queue (the deploy"
                    + " template's rule sends them, and sets this): an event ends a command's wait at once. Off: each"
                    + " command is looked at every `poll-interval` of its step.");
    public static final Setting<Integer> SSM_LOOK_SECONDS = Setting.of("lifeguard.ssm.look-seconds", Setting.POSITIVE, "300",
            "With status events on, how often on average a waiting SSM command is looked at all the same (between half"
                    + " and one and a half times this apart, and once at its step's `timeout`), so that a lost event delays"
                    + " the step's end but never loses it.");
    public static final Setting<Integer> SHUTDOWN_GRACE_SECONDS = Setting.of("lifeguard.shutdown.grace-seconds", Setting.POSITIVE,
            "20", "Seconds that steps already running get to finish after SIGTERM; the rest are handed back to the queue."
                    + " Keep it under ECS's `stopTimeout` (30 s by default) with a few seconds to spare.");
    /** Read by Camel Main ({@code camel.main.routes-reload-enabled}), not by {@link #from}. */
    public static final Setting<Boolean> ROUTES_RELOAD = Setting.of("lifeguard.routes.reload", Setting.FLAG, "false",
            "Reload a changed file in `routes/` without a restart; the other routes keep running. `intake.camel.yaml`, a"
                    + " template for one route per queue, takes effect at the next start.");
    /** Read before Camel starts ({@link #healthPort}): Camel's management server is configured from it. */
    public static final Setting<Integer> HEALTH_PORT = Setting.of("lifeguard.health.port", PORT, "9876",
            "Port of the HTTP endpoint for health (`/observe/health/live`, `/observe/health/ready`), Prometheus"
                    + " metrics (`/observe/metrics`) and the status page (`/`, `/observe/status`); `0` turns it off (see"
                    + " [Operating](#operating)).");
    public static final Setting<Boolean> METRICS_GROUP_LABEL = Setting.of("lifeguard.metrics.group-label", Setting.FLAG, "false",
            "Label event and completion metrics with the Auto Scaling group name. Off by default: group names are chosen"
                    + " by operators, and each one makes new time series.");
    /** Read by {@link LogFormat} before anything logs, so before Camel and this class. */
    public static final Setting<String> LOG_FORMAT = new Setting<>(LogFormat.PROPERTY, Setting.TEXT, "",
            "`text` in a terminal, else `json`", "Log format on standard output: `json` (one JSON object a line, for a log"
                    + " collector) or `text`. Empty: `text` when Lifeguard runs in a terminal, `json` otherwise. Read once,"
                    + " before anything logs (see [Logs](#logs)).");

    public static final Setting<String> ACCOUNTS = Setting.of("lifeguard.accounts", Setting.TEXT, "",
            "Other AWS accounts whose groups this deployment serves, separated by commas: `222222222222` assumes the role"
                    + " named by `lifeguard.accounts.role-name` there, `222222222222=arn:aws:iam::222222222222:role/name`"
                    + " that role. Empty: one account, this one, and every call goes to this account and region. Set: each"
                    + " event's calls go to its own account and region, and an event from an account that is neither this"
                    + " one nor listed is refused (see [Many accounts and regions](#many-accounts-and-regions)).");
    public static final Setting<String> ACCOUNTS_ROLE_NAME = Setting.of("lifeguard.accounts.role-name", Setting.TEXT,
            "lifeguard-hub", "Role assumed in a listed account that names no role ARN: the member template's role.");
    public static final Setting<String> ACCOUNTS_EXTERNAL_ID = new Setting<>("lifeguard.accounts.external-id", Setting.TEXT, "",
            "(required with `lifeguard.accounts`)", "External id given when assuming a member account's role; the member"
                    + " template's `ExternalId`. Never logged.");
    public static final Setting<Boolean> METRICS_ACCOUNT_LABEL = Setting.of("lifeguard.metrics.account-label", Setting.FLAG, "false",
            "Label event and completion metrics with the event's account and region. Off by default, like the group label:"
                    + " each account and region makes new time series.");

    /** Every setting, in the order of the README's table and config/application.properties. */
    public static final List<Setting<?>> ALL = List.of(QUEUE, DEAD_LETTER_QUEUE, MORE_QUEUES, TABLE, TABLE_CREATE, RETENTION_DAYS, DRY_RUN,
            PROFILES, POLL_WAIT_SECONDS, VISIBILITY_SECONDS, POLL_MAX_MESSAGES, CONSUMERS, INTAKE_THREADS, MAX_ATTEMPTS,
            CLAIM_LEASE_SECONDS, LAUNCHING_ON_FAILURE, TERMINATING_ON_FAILURE, HEARTBEAT_SECONDS, STEP_THREADS,
            SSM_STATUS_EVENTS, SSM_LOOK_SECONDS, SHUTDOWN_GRACE_SECONDS, ROUTES_RELOAD, HEALTH_PORT, METRICS_GROUP_LABEL,
            METRICS_ACCOUNT_LABEL, ACCOUNTS, ACCOUNTS_ROLE_NAME, ACCOUNTS_EXTERNAL_ID, LOG_FORMAT);

    /** @param lookup resolves a property name to its value, or null when unset */
    public static Settings from(Function<String, String> lookup) {
        List<String> missing = new ArrayList<>();
        String queue = present(QUEUE, lookup, missing);
        String dlq = present(DEAD_LETTER_QUEUE, lookup, missing);
        // The properties file names the table, so a blank one (LIFEGUARD_TABLE set empty) is a
        // mistake to report, not a wish for the default.
        String table = present(TABLE, lookup, missing);
        if (!missing.isEmpty()) {
            throw new MisconfiguredException("Lifeguard is not configured. Set:\n  " + String.join("\n  ", missing)
                    + "\nor run local mode (see README: mvn -Plocal ...).");
        }
        return new Settings(queue, dlq, moreQueues(MORE_QUEUES.read(lookup)), TABLE.type().parse(TABLE, table),
                TABLE_CREATE.read(lookup),
                DRY_RUN.read(lookup),
                MAX_ATTEMPTS.read(lookup),
                CLAIM_LEASE_SECONDS.read(lookup),
                LAUNCHING_ON_FAILURE.read(lookup),
                TERMINATING_ON_FAILURE.read(lookup),
                PROFILES.read(lookup),
                HEARTBEAT_SECONDS.read(lookup),
                STEP_THREADS.read(lookup),
                VISIBILITY_SECONDS.read(lookup),
                SHUTDOWN_GRACE_SECONDS.read(lookup),
                CONSUMERS.read(lookup),
                INTAKE_THREADS.read(lookup),
                RETENTION_DAYS.read(lookup),
                METRICS_GROUP_LABEL.read(lookup),
                POLL_WAIT_SECONDS.read(lookup),
                POLL_MAX_MESSAGES.read(lookup),
                SSM_STATUS_EVENTS.read(lookup),
                SSM_LOOK_SECONDS.read(lookup),
                accountRoles(lookup),
                ACCOUNTS_EXTERNAL_ID.read(lookup),
                METRICS_ACCOUNT_LABEL.read(lookup));
    }

    /** The member accounts' roles; with any listed, the external id must be set too. */
    public static Map<String, String> accountRoles(Function<String, String> lookup) {
        Map<String, String> roles = roles(ACCOUNTS.label(), ACCOUNTS.read(lookup), ACCOUNTS_ROLE_NAME.read(lookup));
        if (!roles.isEmpty() && ACCOUNTS_EXTERNAL_ID.read(lookup) == null) {
            throw new MisconfiguredException(ACCOUNTS.label() + " lists member accounts, so " + ACCOUNTS_EXTERNAL_ID.label()
                    + " must be set: the external id their roles' trust policy requires");
        }
        return roles;
    }

    /**
     * The table setting alone, checked, for commands that only read the table ({@code history},
     * {@code plan}) and need no queue.
     */
    public static String table(Function<String, String> lookup) {
        return TABLE.read(lookup);
    }

    /**
     * The failure policy the settings give, for commands that need no queue ({@code plan}).
     *
     * @param profiles the profiles whose {@code on-failure} comes before the settings
     */
    public static FailurePolicy failurePolicy(Function<String, String> lookup, Supplier<Profiles> profiles) {
        return new FailurePolicy(MAX_ATTEMPTS.read(lookup), choice(LAUNCHING_ON_FAILURE, LAUNCHING_ON_FAILURE.read(lookup)),
                choice(TERMINATING_ON_FAILURE, TERMINATING_ON_FAILURE.read(lookup)), profiles);
    }

    /** The service's failure policy: these settings, after the current profiles' {@code on-failure}. */
    public FailurePolicy failurePolicy(Supplier<Profiles> profiles) {
        return new FailurePolicy(maxAttempts, choice(LAUNCHING_ON_FAILURE, launchingFailureResult),
                choice(TERMINATING_ON_FAILURE, terminatingFailureResult), profiles);
    }

    private static FailurePolicy.Choice choice(Setting<HookResult> setting, HookResult result) {
        return new FailurePolicy.Choice(result, setting.name());
    }

    /**
     * The values the routes read as property placeholders ({@code routes/intake.camel.yaml}), as
     * checked here, so that the SQS consumer runs with the value this class accepted.
     */
    public Map<String, String> routeProperties() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(POLL_WAIT_SECONDS.name(), Integer.toString(pollWaitSeconds));
        values.put(POLL_MAX_MESSAGES.name(), Integer.toString(pollMaxMessages));
        values.put(CONSUMERS.name(), Integer.toString(consumers));
        values.put(VISIBILITY_SECONDS.name(), Integer.toString(visibilitySeconds));
        values.put(INTAKE_THREADS.name(), Integer.toString(intakeThreads));
        return values;
    }

    /** How long the table keeps a record after its last write (its {@code expiresAt}, DynamoDB TTL). */
    public Duration retention() {
        return Duration.ofDays(retentionDays);
    }

    /**
     * The port of the health and metrics endpoint ({@code lifeguard.health.port}); 0 turns it
     * off. Read before Camel starts, since Camel's management server is configured from it.
     */
    public static int healthPort(Function<String, String> lookup) {
        return HEALTH_PORT.read(lookup);
    }

    /**
     * The text of a setting the service cannot do without, unchecked; a blank one is added to
     * {@code missing}, so that one message names everything to set.
     */
    private static String present(Setting<String> setting, Function<String, String> lookup, List<String> missing) {
        String value = lookup.apply(setting.name());
        if (value == null || value.isBlank()) {
            missing.add(setting.label() + ": " + setting.plainDescription());
            return null;
        }
        return value.trim();
    }

    /**
     * Reads {@code lifeguard.more-queues}: {@code queue=dead-letter-queue} pairs separated by commas.
     * Whether a queue is read twice, or a dead-letter queue is also read, is checked once the
     * names are resolved to URLs ({@code IntakeQueues}), where a name and a URL of one queue meet.
     */
    private static Map<String, String> moreQueues(String list) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (list == null || list.isBlank()) {
            return pairs;
        }
        for (String entry : list.split(",")) {
            String[] parts = entry.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new MisconfiguredException(MORE_QUEUES.label() + ": '" + entry.trim() + "' is not queue=dead-letter-queue");
            }
            if (pairs.put(parts[0].trim(), parts[1].trim()) != null) {
                throw new MisconfiguredException(MORE_QUEUES.label() + " names queue " + parts[0].trim() + " twice");
            }
        }
        return pairs;
    }

    /** What IAM allows in a role ARN (any partition), so that a typo stops start-up, not every call. */
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::[0-9]{12}:role/[\\w+=,.@/-]{1,512}");

    /**
     * Reads {@code lifeguard.accounts}: account ids separated by commas, each optionally
     * {@code =<role ARN>}; an account without one is assumed as {@code <roleName>} in it (the
     * member template's {@code lifeguard-hub}).
     */
    private static Map<String, String> roles(String setting, String list, String roleName) {
        Map<String, String> roles = new LinkedHashMap<>();
        if (list == null || list.isBlank()) {
            return roles;
        }
        for (String entry : list.split(",")) {
            String[] parts = entry.trim().split("=", 2);
            String account = parts[0].trim();
            if (!Identifiers.isAccountId(account)) {
                throw new MisconfiguredException(setting + ": '" + account + "' is not an AWS account id (12 digits)");
            }
            String role = parts.length == 2 ? parts[1].trim() : "arn:aws:iam::" + account + ":role/" + roleName;
            if (!ROLE_ARN.matcher(role).matches()) {
                throw new MisconfiguredException(setting + ": '" + role + "' for account " + account + " is not an IAM role ARN");
            }
            if (!role.split(":")[4].equals(account)) {
                throw new MisconfiguredException(setting + ": role " + role + " is not in account " + account);
            }
            if (roles.put(account, role) != null) {
                throw new MisconfiguredException(setting + " lists account " + account + " twice");
            }
        }
        return roles;
    }
}
