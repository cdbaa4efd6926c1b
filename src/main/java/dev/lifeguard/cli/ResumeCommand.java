package dev.lifeguard.cli;

import dev.lifeguard.Settings;
import dev.lifeguard.aws.AutoScalingInstances;
import dev.lifeguard.aws.Ec2Instances;
import dev.lifeguard.aws.RetainedInstances;
import dev.lifeguard.engine.RemainingSteps;
import dev.lifeguard.event.Identifiers;
import dev.lifeguard.event.LifecycleEvent;
import dev.lifeguard.event.Outcome;
import dev.lifeguard.profiles.Profile;
import dev.lifeguard.profiles.StepSpec;
import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepsReport;
import dev.lifeguard.steps.Toolbox;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.store.InstanceFactsStore;
import dev.lifeguard.store.OutcomeRecorder;
import dev.lifeguard.store.RetainedEvents;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code resume [--terminate-only] <instance-id>}: finishes the job for an instance Auto Scaling
 * retained after its terminating hook was abandoned, once the operator has fixed the cause. It
 * reads the hook's record, confirms with Auto Scaling that the instance is still in that group and
 * retained, runs the steps the record does not show done (the profile's steps for
 * {@code terminating}, with the same records as the service's), and when all have ended well
 * terminates the instance (TerminateInstanceInAutoScalingGroup, desired capacity unchanged) and
 * records {@code RESUMED}. {@code --terminate-only} runs no step. A record already RESUMED, or an
 * instance no longer retained, is nothing to do.
 */
final class ResumeCommand {
    static final String USAGE = "usage: lifeguard resume [--terminate-only] <instance-id>";
    private static final String KIND = "terminating";

    private final Function<String, String> settings;
    private final Commands.Aws aws;
    private final PrintStream out;
    private final Clock clock;

    ResumeCommand(Function<String, String> settings, Commands.Aws aws, PrintStream out, Clock clock) {
        this.settings = settings;
        this.aws = aws;
        this.out = out;
        this.clock = clock;
    }

    int run(List<String> args) {
        boolean terminateOnly = args.contains("--terminate-only");
        List<String> rest = args.stream().filter(a -> !a.equals("--terminate-only")).toList();
        if (rest.size() != 1 || rest.get(0).startsWith("--")) {
            throw new CommandException(Commands.MISTAKE, (rest.isEmpty() ? "name the retained instance; "
                    : "unexpected " + Identifiers.quote(String.join(" ", rest)) + "; ") + USAGE);
        }
        String instanceId = rest.get(0);
        if (!Identifiers.isInstanceId(instanceId)) {
            throw new CommandException(Commands.MISTAKE, Identifiers.quote(instanceId)
                    + " is not an EC2 instance id (i- and 8 or 17 hex digits); " + USAGE);
        }
        String table = Settings.table(settings);
        Optional<RetainedEvents.Retained> found = new RetainedEvents(aws.dynamoDb().get(), table).newest(instanceId);
        if (found.isEmpty()) {
            out.println("Nothing to do: no terminating hook of " + instanceId + " is recorded " + Outcome.RETAINED
                    + " in table " + table + " (`lifeguard history " + instanceId + "` shows what is)");
            return Commands.NOTHING;
        }
        RetainedEvents.Retained retained = found.get();
        LifecycleEvent event = retained.event();
        out.println("Record     " + retained.key() + " in table " + table + ": " + HistoryText.printable(event.describe()));
        if (retained.result() == Outcome.RESUMED) {
            out.println("Nothing to do: resumed already at " + retained.text("resumedAt") + " ("
                    + HistoryText.printable(String.valueOf(retained.text("termination"))) + ")");
            return Commands.NOTHING;
        }
        RetainedInstances instances = new RetainedInstances(aws.autoScaling().get());
        Optional<String> notRetained = notRetained(instances, event);
        if (notRetained.isPresent()) {
            out.println("Nothing to do: Auto Scaling has " + instanceId + " " + notRetained.get() + "; nothing was run or terminated");
            return Commands.NOTHING;
        }
        out.println("Auto Scaling " + instanceId + " is retained in its group");
        boolean dryRun = Settings.DRY_RUN.read(settings);
        OutcomeRecorder outcomes = new OutcomeRecorder(aws.dynamoDb().get(), table, "resume", dryRun,
                Duration.ofDays(Settings.RETENTION_DAYS.read(settings)), clock);
        StepsReport report = null;
        if (terminateOnly) {
            out.println("Steps      not run (--terminate-only)");
        } else {
            report = runSteps(retained, outcomes, table, dryRun);
            if (report.failed()) {
                if (!dryRun) {
                    outcomes.resumeFailed(retained.key(), report);
                }
                out.println("Stopped    a step failed: " + instanceId + " stays retained; fix the cause and resume again"
                        + " (the steps that ended well are not run again)");
                return Commands.MISTAKE;
            }
        }
        if (dryRun) {
            out.println("Dry run    " + instanceId + " is not terminated (" + Settings.DRY_RUN.label() + ")");
            return Commands.OK;
        }
        String termination = instances.terminate(event);
        out.println("Terminated " + instanceId + " (TerminateInstanceInAutoScalingGroup, desired capacity unchanged): "
                + HistoryText.printable(termination));
        if (!outcomes.resumed(retained.key(), report, termination)) {
            out.println("Recorded   nothing: the record is no longer " + Outcome.RETAINED + " (another resume ended it)");
            return Commands.OK;
        }
        out.println("Recorded   " + Outcome.RESUMED);
        return Commands.OK;
    }

    /**
     * Why Auto Scaling's answer forbids acting: the instance is in no group (terminated already),
     * in another group than the record's, or not in a retained state; empty when it is retained there.
     */
    private static Optional<String> notRetained(RetainedInstances instances, LifecycleEvent event) {
        Optional<AutoScalingInstances.Membership> place = instances.place(event);
        if (place.isEmpty()) {
            return Optional.of("in no group (terminated already?)");
        }
        if (!event.groupName().equals(place.get().groupName())) {
            return Optional.of("in group " + Identifiers.forLog(place.get().groupName()) + ", not "
                    + Identifiers.forLog(event.groupName()));
        }
        String state = place.get().lifecycleState();
        return RetainedInstances.isRetained(state) ? Optional.empty() : Optional.of(state + ", not retained");
    }

    private StepsReport runSteps(RetainedEvents.Retained retained, OutcomeRecorder outcomes, String table, boolean dryRun) {
        LifecycleEvent event = retained.event();
        DefaultCamelContext camel = new DefaultCamelContext();
        try {
            camel.start();
            Map<String, Step> steps = Toolbox.steps(new CommandRunner(camel.createProducerTemplate()),
                    aws.route53().get(), aws.ssm().get(), aws.ecs().get(), () -> {
                        throw new PermanentStepException("resume reads no secret from Secrets Manager; run the step in the service");
                    }, clock);
            Path profilesFile = Path.of(Settings.PROFILES.read(settings));
            Profile profile = PlanCommand.profiles(profilesFile, steps).forGroup(event.groupName());
            List<StepSpec> specs = profile.stepsFor(KIND);
            // As the service: addresses only for a profile whose templates use them; kept in the table, else EC2's.
            InstanceFacts facts = !profile.usesInstanceFacts() ? InstanceFacts.unknown(event.instanceId())
                    : new InstanceFactsStore(aws.dynamoDb().get(), table, Duration.ZERO, clock).load(event.instanceId())
                            .or(() -> new Ec2Instances(aws.ec2().get()).describe(event.where(), event.instanceId()))
                            .orElse(InstanceFacts.unknown(event.instanceId()));
            out.println("Steps      " + specs.size() + " under '" + KIND + "' in " + profilesFile + ", one after another:");
            // A dry run's steps did nothing: recorded, a later resume would skip them.
            List<RemainingSteps.Ran> ran = new RemainingSteps(steps, dryRun, clock).run(event, facts, specs, retained.steps(),
                    (name, record) -> {
                        if (!dryRun) {
                            outcomes.resumedStep(retained.key(), name, record);
                        }
                    });
            for (RemainingSteps.Ran step : ran) {
                out.println("  " + (step.ran() ? "ran     " : "skipped ") + HistoryText.printable(step.result().toString()));
            }
            return RemainingSteps.report(event, ran);
        } finally {
            camel.stop();
        }
    }
}
