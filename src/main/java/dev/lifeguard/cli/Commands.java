package dev.lifeguard.cli;

import dev.lifeguard.MisconfiguredException;
import dev.lifeguard.Settings;
import dev.lifeguard.StartupChecks;
import dev.lifeguard.Version;
import dev.lifeguard.aws.AwsClients;
import dev.lifeguard.aws.Outages;
import dev.lifeguard.ServedAccounts;
import dev.lifeguard.accounts.Accounts;
import dev.lifeguard.accounts.PerAccount;
import dev.lifeguard.aws.AwsSetup;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The jar's commands besides the service: {@code history} (what Lifeguard did for an instance or
 * a group, from the table), {@code plan} (what it would do with an event body), {@code status}
 * (every event in flight across the replicas), and {@code --help} and {@code --version}. They
 * read the service's settings, call AWS only to read, and start no route and no consumer.
 *
 * <p>Exit status: 0 done; 1 {@code history} found no record, {@code plan} shows a step that
 * would fail, or {@code status} found nothing in flight; 2 the command could not answer (bad
 * argument, refused body, profiles that do not load, missing table or index, AWS unreachable),
 * with one line on standard error saying why.
 */
public final class Commands {
    static final int OK = 0;
    static final int NOTHING = 1;
    static final int MISTAKE = 2;

    private Commands() {
    }

    /**
     * The AWS clients a command may need, each built the first time it is asked for. Those that
     * act for an event ({@code resume}) go to the event's own account and region, as the service's.
     */
    public record Aws(Supplier<DynamoDbClient> dynamoDb, Supplier<Ec2Client> ec2,
                      Supplier<PerAccount<AutoScalingClient>> autoScaling, Supplier<PerAccount<Route53Client>> route53,
                      Supplier<PerAccount<SsmClient>> ssm, Supplier<PerAccount<EcsClient>> ecs) {
        /** The clients of the commands that only read: the table, and EC2 for {@code plan --describe}. */
        public Aws(Supplier<DynamoDbClient> dynamoDb, Supplier<Ec2Client> ec2) {
            this(dynamoDb, ec2, Aws::none, Aws::none, Aws::none, Aws::none);
        }

        /**
         * Clients built from the SDK's standard settings, as the service builds them; with
         * {@code lifeguard.accounts} set, in a member account with its role assumed.
         */
        public static Aws fromSdk(Function<String, String> settings) {
            Outages outages = new Outages(Clock.systemUTC());
            Supplier<AutoScalingClient> home = once(() -> AwsClients.autoScaling(outages));
            Supplier<Accounts> accounts = once(() -> ServedAccounts.of(Settings.accountRoles(settings),
                    Settings.ACCOUNTS_EXTERNAL_ID.read(settings), AwsSetup.region(home.get()), () -> AwsClients.sts(outages),
                    "command"));
            return new Aws(once(() -> AwsClients.dynamoDb(outages)), once(() -> AwsClients.ec2(outages)),
                    once(() -> perAccount(home.get(), AutoScalingClient::builder, accounts, outages)),
                    once(() -> perAccount(AwsClients.route53(outages), Route53Client::builder, accounts, outages)),
                    once(() -> perAccount(AwsClients.ssm(outages), SsmClient::builder, accounts, outages)),
                    once(() -> perAccount(AwsClients.ecs(outages), EcsClient::builder, accounts, outages)));
        }

        private static <B extends AwsClientBuilder<B, C> & SdkSyncClientBuilder<B, C>, C extends SdkClient> PerAccount<C> perAccount(
                C home, Supplier<B> builder, Supplier<Accounts> accounts, Outages outages) {
            return new PerAccount<>(home, accounts.get(),
                    (where, credentials) -> AwsClients.elsewhere(builder.get(), home, where, credentials, outages));
        }

        private static <C> C none() {
            throw new IllegalStateException("no such client here");
        }
    }

    private static final List<String> NAMES = List.of("history", "plan", "status", "resume", "help", "--help", "-h", "--version");

    /** True when {@code args} name a command rather than asking for the service. */
    public static boolean handles(String[] args) {
        return args.length > 0 && NAMES.contains(args[0]);
    }

    /** Runs the command with the service's settings from the working directory and the environment. */
    public static int run(String[] args) {
        Function<String, String> settings = CommandSettings.of(Path.of("config", "application.properties"), System.getenv());
        return run(args, settings, Aws.fromSdk(settings),
                System.out, System.err);
    }

    /** @return the exit status */
    public static int run(String[] args, Function<String, String> settings, Aws aws, PrintStream out, PrintStream err) {
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            int status = StartupChecks.aws(() -> switch (command) {
                case "history" -> new HistoryCommand(aws.dynamoDb(), Settings.table(settings), out).run(rest);
                case "plan" -> PlanCommand.fromSettings(settings, aws, out).run(rest);
                case "resume" -> new ResumeCommand(settings, aws, out, Clock.systemUTC()).run(rest);
                case "status" -> new StatusCommand(aws.dynamoDb(), Settings.table(settings), out, Clock.systemUTC()).run(rest);
                case "help", "--help", "-h" -> {
                    Usage.print(out);
                    yield OK;
                }
                case "--version" -> {
                    out.println(Version.describe());
                    yield OK;
                }
                default -> throw new IllegalArgumentException("not a command: " + command);
            });
            out.flush();
            return status;
        } catch (CommandException e) {
            return fail(err, command, e.getMessage(), e.status());
        } catch (MisconfiguredException e) {
            return fail(err, command, e.getMessage(), MISTAKE);
        } catch (SdkException e) {
            return fail(err, command, "an AWS call failed: " + oneLine(e.getMessage()), MISTAKE);
        }
    }

    private static int fail(PrintStream err, String command, String message, int status) {
        err.println("lifeguard " + command + ": " + message);
        err.flush();
        return status;
    }

    private static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s+", " ").strip();
    }

    private static <T> Supplier<T> once(Supplier<T> build) {
        return new Supplier<>() {
            private T built;

            @Override
            public synchronized T get() {
                if (built == null) {
                    built = build.get();
                }
                return built;
            }
        };
    }
}
