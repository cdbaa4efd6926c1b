package dev.lifeguard.cli;

import dev.lifeguard.Settings;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.engine.FailurePolicy;
import dev.lifeguard.engine.HookConfirmation;
import dev.lifeguard.engine.Preflight;
import dev.lifeguard.event.EventParser;
import dev.lifeguard.event.HookResult;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.event.RefusedMessageException;
import dev.lifeguard.profiles.Profile;
import dev.lifeguard.profiles.ProfileLoader;
import dev.lifeguard.profiles.Profiles;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.Toolbox;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.store.InstanceFactsStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code plan [--describe] <event.json | ->}: what Lifeguard would do with one message body and
 * the current profiles, without doing it: the kind the body routes to, the route file, the
 * profile matched, and every step with its settings rendered and the step's own checks applied
 * (an unsafe value shows the step's refusal). Nothing is called: the instance's addresses, which
 * some templates need, are shown as placeholders unless {@code --describe} reads them (EC2
 * DescribeInstances, and the table for an instance already gone) and EC2's liveness answer.
 */
final class PlanCommand {
    static final String USAGE = "usage: lifeguard plan [--describe] <event.json | ->";
    /** Stands for the SQS message id, which a body alone does not carry. */
    private static final String SQS_MESSAGE_ID = "SQS-MESSAGE-ID";

    private final Path profilesFile;
    private final Path routes;
    private final Function<String, String> settings;
    private final Commands.Aws aws;
    private final PrintStream out;

    PlanCommand(Path profilesFile, Path routes, Function<String, String> settings, Commands.Aws aws, PrintStream out) {
        this.profilesFile = profilesFile;
        this.routes = routes;
        this.settings = settings;
        this.aws = aws;
        this.out = out;
    }

    static PlanCommand fromSettings(Function<String, String> settings, Commands.Aws aws, PrintStream out) {
        return new PlanCommand(Path.of(Settings.PROFILES.read(settings)), Path.of("routes"), settings, aws, out);
    }

    int run(List<String> args) {
        boolean describe = args.contains("--describe");
        List<String> files = args.stream().filter(a -> !a.equals("--describe")).toList();
        if (files.size() != 1 || files.get(0).startsWith("--")) {
            throw new CommandException(Commands.MISTAKE, files.isEmpty() ? "name an event file; " + USAGE : "unexpected "
                    + Identifiers.quote(String.join(" ", files)) + "; " + USAGE);
        }
        LifecycleEvent event = parse(read(files.get(0)));
        if (event.kind() == Kind.TEST_NOTIFICATION) {
            out.println("Event      " + event.describe());
            out.println("           a test notification: acknowledged and deleted; no route, no steps, no record");
            return Commands.OK;
        }
        if (event.kind() == Kind.IGNORED) {
            out.println("Event      " + HistoryText.printable(event.describe()));
            out.println("Record     " + event.idempotencyKey() + " in table " + Settings.table(settings) + ", result " + Outcome.IGNORED);
            out.println("           an Auto Scaling event Lifeguard does not act on: recorded, counted and deleted;"
                    + " no route, no steps");
            return Commands.OK;
        }
        Path routeFile = routeFile(event.kind().route());
        Map<String, Step> steps = Toolbox.steps(new CommandRunner(null), NoCalls.route53(),
                NoCalls.ssm(), NoCalls.ecs());
        Profiles profiles = profiles(steps);
        Profile profile = profiles.forEvent(event);
        String kind = event.kind().profileKey();
        List<StepSpec> specs = profile.stepsFor(kind);

        out.println("Event      " + HistoryText.printable(event.describe()) + " (" + event.eventName() + ")");
        out.println("Record     " + event.idempotencyKey() + " in table " + Settings.table(settings));
        out.println("Route      " + event.kind().route() + " (" + routeFile + ")");
        out.println("Profile    " + (profile == profiles.fallback() ? "default" : Identifiers.forLog(profile.match()))
                + " in " + profilesFile + ", steps under '" + kind + "'");
        if (event.isHook()) {
            // As the service decides it, from the same policy and the profiles just read.
            FailurePolicy.Choice onFailure = Settings.failurePolicy(settings, () -> profiles).forHook(event);
            out.println("On failure " + onFailure.result() + " when the steps are given up on (" + onFailure.chosenBy() + ")");
        }
        if (profile.maxInFlight(kind) > 0) {
            out.println("At once    at most " + profile.maxInFlight(kind) + " " + kind + " events of this group per replica");
        }
        boolean addressesKnown = describe || !profile.usesInstanceFacts() || specs.isEmpty();
        InstanceFacts facts = event.instanceId() == null ? null : InstanceFacts.unknown(event.instanceId());
        if (describe && !specs.isEmpty()) {
            Ec2Instances ec2 = new Ec2Instances(aws.ec2().get());
            Optional<InstanceFacts> live = event.instanceId() == null ? Optional.empty() : ec2.describe(event.where(), event.instanceId());
            facts = known(event, live, profile.usesInstanceFacts());
            out.println("EC2        " + (live.map(f -> f.instanceId() + " is " + f.state() + addresses(f))
                    .orElse(event.instanceId() == null ? "no instance id in the event" : event.instanceId() + " is not known to EC2")));
            if (Preflight.checksAliveFirst(event.kind())) {
                Preflight.Result alive = Preflight.alive(event, live, facts, ec2);
                if (alive != null) {
                    out.println("Refused    " + alive.reason() + ": the service runs nothing and records " + Outcome.REFUSED);
                    return Commands.OK;
                }
            }
        } else if (Preflight.checksAliveFirst(event.kind()) && !specs.isEmpty()) {
            out.println("First      the service asks EC2 whether the instance, or any instance answering to a name or"
                    + " address the steps use, still lives and, if one does, runs nothing (" + Outcome.REFUSED + "); plan does not ask"
                    + " unless --describe");
        }
        if (event.isHook()) {
            out.println("Confirm    the service asks Auto Scaling first: the instance must be " + String.join(" or ",
                    HookConfirmation.waitStates(event)) + " in this group (DescribeAutoScalingInstances) and the token live"
                    + (specs.isEmpty() ? " (the CompleteLifecycleAction itself, as there are no steps)" : " (RecordLifecycleActionHeartbeat)")
                    + "; otherwise nothing runs (" + Outcome.REFUSED + "); plan never asks");
        }
        if (!addressesKnown) {
            out.println("Addresses  not read: {privateIp} {publicIp} {privateDns} {publicDns} {name} are shown unresolved"
                    + " (needs EC2 DescribeInstances; plan --describe reads them)");
        }
        if (specs.isEmpty()) {
            out.println("Steps      none: " + (event.isHook() ? "the hook is completed " + HookResult.CONTINUE + " at once"
                    : "the event is recorded and deleted"));
            return Commands.OK;
        }
        out.println("Steps      " + (specs.size() == 1 ? "1 step" : specs.size() + " steps, in parallel") + (event.isHook()
                ? "; then the hook is completed, " + HookResult.CONTINUE + " when they succeed" : "") + ":");
        boolean fails = false;
        for (int i = 0; i < specs.size(); i++) {
            StepSpec spec = specs.get(i);
            StepPreview.Result preview = StepPreview.of(i + 1, spec, steps.get(spec.type()), event, facts, addressesKnown);
            out.println();
            preview.lines().forEach(line -> out.println("  " + line));
            fails |= preview.fails();
        }
        return fails ? Commands.NOTHING : Commands.OK;
    }

    private static String read(String file) {
        try {
            return file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(Commands.MISTAKE, "cannot read " + Identifiers.quote(file) + ": " + e);
        }
    }

    private static LifecycleEvent parse(String body) {
        try {
            return new EventParser().parse(body, SQS_MESSAGE_ID);
        } catch (RefusedMessageException e) {
            throw new CommandException(Commands.MISTAKE, "refused (the service dead-letters this body): " + e.getMessage());
        }
    }

    /** The file in routes/ that declares the route: routes/<route>.camel.yaml by convention, else any that does. */
    private Path routeFile(String route) {
        Pattern declares = Pattern.compile("(?m)^\\s*id:\\s*[\"']?" + Pattern.quote(route) + "[\"']?\\s*$");
        Path conventional = routes.resolve(route + ".camel.yaml");
        try (Stream<Path> files = Files.isDirectory(routes) ? Files.list(routes) : Stream.empty()) {
            List<Path> candidates = Stream.concat(Stream.of(conventional),
                    files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted()).distinct().toList();
            for (Path file : candidates) {
                if (Files.isReadable(file) && declares.matcher(Files.readString(file, StandardCharsets.UTF_8)).find()) {
                    return file;
                }
            }
        } catch (IOException e) {
            throw new CommandException(Commands.MISTAKE, "cannot read " + routes + ": " + e.getMessage());
        }
        throw new CommandException(Commands.MISTAKE, "no file in " + routes.toAbsolutePath() + " declares route '" + route
                + "': the service would not start (run plan from the directory that holds routes/ and config/)");
    }

    private Profiles profiles(Map<String, Step> steps) {
        return profiles(profilesFile, steps);
    }

    /** The profiles file as the service would load it, or the command's mistake naming what is wrong. */
    static Profiles profiles(Path profilesFile, Map<String, Step> steps) {
        if (!Files.isReadable(profilesFile)) {
            throw new CommandException(Commands.MISTAKE, "profiles file " + profilesFile.toAbsolutePath()
                    + " cannot be read; set " + Settings.PROFILES.label());
        }
        try {
            return ProfileLoader.of(steps).load(profilesFile);
        } catch (ProfileLoader.InvalidProfilesException e) {
            throw new CommandException(Commands.MISTAKE, "profiles file " + profilesFile + " is invalid: " + e.getMessage());
        }
    }

    /** The facts the service's steps would get: as Preflight gathers them, read only, never saved. */
    private InstanceFacts known(LifecycleEvent event, Optional<InstanceFacts> live, boolean useFacts) {
        if (event.instanceId() == null) {
            return null;
        }
        if (!useFacts || Preflight.learnsFacts(event.kind()) && live.isPresent()) {
            return live.orElse(InstanceFacts.unknown(event.instanceId()));
        }
        InstanceFactsStore table = new InstanceFactsStore(aws.dynamoDb().get(), Settings.table(settings), Duration.ZERO,
                Clock.systemUTC());
        return table.load(event.instanceId()).or(() -> live).orElse(InstanceFacts.unknown(event.instanceId()));
    }

    private static String addresses(InstanceFacts facts) {
        return Stream.of(facts.privateIp(), facts.publicIp(), facts.privateDns(), facts.publicDns(), facts.nameTag())
                .filter(v -> v != null && !v.isEmpty()).map(HistoryText::printable).collect(Collectors.joining(" ", " (", ")"));
    }
}
