package dev.lifeguard.steps.ssm;

import dev.lifeguard.steps.Heartbeat;
import dev.lifeguard.steps.Templates;
import dev.lifeguard.steps.WaitingStep;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import dev.lifeguard.accounts.PerAccount;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetCommandInvocationResponse;
import software.amazon.awssdk.services.ssm.model.InvocationDoesNotExistException;
import software.amazon.awssdk.services.ssm.model.SendCommandRequest;

/**
 * Runs an SSM document on the event's instance and waits for its result: the Nomad drain of
 * seed 001, the log upload of seed 003. A lifecycle hook stays open only while someone says it
 * is still needed, so the wait heartbeats the hook; a command that never ends is cancelled when
 * the step's own timeout passes, so the hook can still be completed before Auto Scaling's.
 *
 * <p>Profile keys: {@code document} (required), {@code parameters} (name → list of templates),
 * {@code output-s3-bucket}, {@code output-s3-prefix} (template), {@code comment} (template),
 * {@code timeout} (600 s), {@code poll-interval} (5 s), {@code heartbeat-interval} (60 s; used only by the
 * blocking {@link #run}, since the engine heartbeats every hook itself).
 *
 * <p>The engine drives it as a {@link WaitingStep}: {@link #start} sends the command and returns
 * its id, then {@link #check} looks at it every {@code poll-interval}, holding no thread between
 * looks. {@link #run} does the same in one blocking call, for dry runs and single uses.
 */
public class SsmCommand implements WaitingStep {
    private static final Logger LOG = LoggerFactory.getLogger(SsmCommand.class);

    /** SSM's own document name syntax, plus ':' and '/' for shared documents given by ARN. */
    private static final Pattern DOCUMENT = Pattern.compile("[A-Za-z0-9_.:/-]{3,128}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9.-]{3,63}");
    /** What a value substituted into an S3 key prefix may hold: S3's "safe characters". */
    private static final Pattern S3_PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]+");
    private static final String S3_PREFIX_RULE = "an S3 key prefix holds only letters, digits and !_.*'()/-";
    /** Leaves room in the 500-character outcome for the status and the command id. */
    static final int EXCERPT = 400;
    /** SendCommand refuses a longer comment. */
    private static final int MAX_COMMENT = 100;
    private static final String NOT_YET_VISIBLE = "not yet visible (InvocationDoesNotExist)";

    private final PerAccount<SsmClient> ssm;
    private final Clock clock;
    private final Sleeper sleeper;

    /** @param ssm commands go to the event's own account and region, where its instance is */
    public SsmCommand(PerAccount<SsmClient> ssm) {
        this(ssm, Clock.systemUTC(), Sleeper.THREAD);
    }

    public SsmCommand(PerAccount<SsmClient> ssm, Clock clock, Sleeper sleeper) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    @Override
    public String type() {
        return "ssm-command";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("document", "parameters", "output-s3-bucket", "output-s3-prefix", "comment", "poll-interval", "heartbeat-interval");
    }

    @Override
    public StepOutcome run(StepRequest request) throws Exception {
        // The target and settings are resolved before the dry-run check, so a dry run (and a
        // future `plan`) reports a broken profile exactly as a real run would.
        String instanceId = instanceId(request);
        Settings settings = Settings.of(request);
        if (request.dryRun()) {
            return StepOutcome.skipped(wouldSend(settings, instanceId));
        }
        SsmClient ssm = ssm(request);
        String commandId = send(ssm, settings, instanceId);
        Heartbeat heartbeat = request.heartbeat() != null ? request.heartbeat() : Heartbeat.NONE;
        return await(ssm, settings, commandId, instanceId, heartbeat);
    }

    /**
     * What a dry run reports: the document, the instance and the parameters' names. The rendered
     * values are left out, because parameters may carry secrets and this text is logged, recorded
     * in the table and sent in notifications.
     */
    static String wouldSend(Settings settings, String instanceId) {
        return "would send " + settings.document() + " to " + instanceId + " with parameters " + settings.parameters().keySet()
                + (settings.bucket() == null ? ""
                : " (output to s3://" + settings.bucket() + "/" + Objects.toString(settings.prefix(), "") + ")");
    }

    @Override
    public String start(StepRequest request) {
        return send(ssm(request), Settings.of(request), instanceId(request));
    }

    @Override
    public StepOutcome check(StepRequest request, String commandId) {
        Settings settings = Settings.of(request);
        String instanceId = instanceId(request);
        GetCommandInvocationResponse invocation = check(ssm(request), commandId, instanceId);
        if (invocation == null) {
            return null;
        }
        return switch (invocation.status()) {
            case SUCCESS -> succeeded(settings, commandId, instanceId, invocation);
            case FAILED, CANCELLED, TIMED_OUT -> throw ended(settings, commandId, instanceId, invocation);
            default -> null;
        };
    }

    @Override
    public Duration checkEvery(StepRequest request) {
        return Settings.of(request).pollInterval();
    }

    @Override
    public String statusEventInstance(StepRequest request) {
        return instanceId(request);
    }

    @Override
    public Exception timedOut(StepRequest request, String commandId, String lastStatus) {
        return timedOut(ssm(request), Settings.of(request), commandId, instanceId(request), lastStatus);
    }

    private SsmClient ssm(StepRequest request) {
        return ssm.in(request.event().where());
    }

    private static StepOutcome succeeded(Settings settings, String commandId, String instanceId, GetCommandInvocationResponse invocation) {
        LOG.debug("ssm-command: {} on {} succeeded, commandId={}", settings.document(), instanceId, commandId);
        return StepOutcome.succeeded(invocation.statusAsString() + " commandId=" + commandId + ": "
                + tail(invocation.standardOutputContent()));
    }

    /** Sends the command; returns its id. Parameters are not logged: profiles may carry secrets in them. */
    static String send(SsmClient ssm, Settings settings, String instanceId) {
        SendCommandRequest.Builder send = SendCommandRequest.builder()
                .documentName(settings.document())
                .instanceIds(instanceId)
                .parameters(settings.parameters())
                .comment(settings.comment());
        if (settings.bucket() != null) {
            send.outputS3BucketName(settings.bucket());
            if (settings.prefix() != null) {
                send.outputS3KeyPrefix(settings.prefix());
            }
        }
        String commandId = ssm.sendCommand(send.build()).command().commandId();
        LOG.debug("ssm-command: sent {} to {}, commandId={}", settings.document(), instanceId, commandId);
        return commandId;
    }

    /**
     * One look at the invocation. Null means SSM does not know it yet: right after SendCommand the
     * invocation is created asynchronously, and GetCommandInvocation says it does not exist.
     */
    static GetCommandInvocationResponse check(SsmClient ssm, String commandId, String instanceId) {
        try {
            return ssm.getCommandInvocation(r -> r.commandId(commandId).instanceId(instanceId));
        } catch (InvocationDoesNotExistException notYet) {
            return null;
        }
    }

    private StepOutcome await(SsmClient ssm, Settings settings, String commandId, String instanceId, Heartbeat heartbeat)
            throws InterruptedException {
        Instant start = clock.instant();
        Instant deadline = start.plus(settings.timeout());
        Instant nextPoll = start;
        // Heartbeats follow elapsed time, not polls, so a long poll-interval cannot starve the hook
        // and a short heartbeat-interval does not make us poll SSM more often.
        Instant nextBeat = start.plus(settings.heartbeatInterval());
        String status = NOT_YET_VISIBLE;
        while (true) {
            Instant now = clock.instant();
            // At the deadline look once more: a command that just ended is not a timeout.
            if (!now.isBefore(nextPoll) || !now.isBefore(deadline)) {
                GetCommandInvocationResponse invocation = check(ssm, commandId, instanceId);
                if (invocation != null) {
                    status = invocation.statusAsString();
                    switch (invocation.status()) {
                        case SUCCESS -> {
                            return succeeded(settings, commandId, instanceId, invocation);
                        }
                        case FAILED, CANCELLED, TIMED_OUT -> throw ended(settings, commandId, instanceId, invocation);
                        default -> {
                            // Pending, InProgress, Delayed, Cancelling, or a status newer than this SDK:
                            // not an end, keep waiting (the timeout bounds it).
                        }
                    }
                }
                nextPoll = now.plus(settings.pollInterval());
                now = clock.instant();
                if (!now.isBefore(deadline)) {
                    throw timedOut(ssm, settings, commandId, instanceId, status);
                }
            }
            if (!now.isBefore(nextBeat)) {
                heartbeat.beat();
                nextBeat = now.plus(settings.heartbeatInterval());
            }
            // Wake for whichever comes first: the next poll, the next heartbeat, the deadline.
            Instant wake = earliest(nextPoll, earliest(nextBeat, deadline));
            Duration wait = Duration.between(now, wake);
            sleeper.sleep(wait.isNegative() ? Duration.ZERO : wait);
        }
    }

    private SsmCommandException ended(Settings settings, String commandId, String instanceId, GetCommandInvocationResponse invocation) {
        String status = invocation.statusAsString();
        String details = invocation.statusDetails();
        // StatusDetails says why when stderr cannot: Undeliverable, DeliveryTimedOut, ExecutionTimedOut.
        String why = details != null && !details.equals(status) ? " [" + details + "]" : "";
        String stderr = tail(invocation.standardErrorContent());
        LOG.warn("ssm-command: {} on {} ended {}{}, commandId={}", settings.document(), instanceId, status, why, commandId);
        return new SsmCommandException("SSM command " + commandId + " (" + settings.document() + ") on " + instanceId
                + " ended " + status + why + " with response code " + invocation.responseCode()
                + "; stderr: " + (stderr.isEmpty() ? "(empty)" : stderr), commandId, status);
    }

    /** Asks SSM to stop the command, so a drain does not go on after the hook was given up on. */
    private static SsmCommandException timedOut(SsmClient ssm, Settings settings, String commandId, String instanceId, String status) {
        String cancel;
        try {
            ssm.cancelCommand(r -> r.commandId(commandId).instanceIds(instanceId));
            cancel = "cancel requested";
        } catch (SdkException e) {
            // The timeout is the failure to report; a failed cancel only adds to it.
            cancel = "cancel failed: " + e.getMessage();
        }
        LOG.warn("ssm-command: {} on {} timed out, commandId={}, {}", settings.document(), instanceId, commandId, cancel);
        return new SsmCommandException("SSM command " + commandId + " (" + settings.document() + ") on " + instanceId
                + " timed out after " + settings.timeout().toSeconds() + " s; last status " + status + "; " + cancel,
                commandId, status);
    }

    /**
     * The end of a command's output, trimmed: errors and results come last. SSM itself returns at
     * most the first 24,000 characters; the full output is in S3 when output-s3-bucket is set.
     */
    static String tail(String output) {
        if (output == null) {
            return "";
        }
        String trimmed = output.strip();
        return trimmed.length() <= EXCERPT ? trimmed : "…" + trimmed.substring(trimmed.length() - EXCERPT);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static String instanceId(StepRequest request) {
        return request.instanceId("run an SSM command on");
    }

    /** A step's settings read, validated and rendered for one event. */
    record Settings(String document, Map<String, List<String>> parameters, String bucket, String prefix,
                    String comment, Duration timeout, Duration pollInterval, Duration heartbeatInterval) {

        static Settings of(StepRequest request) {
            StepConfig config = request.config();
            String step = config.stepName();
            String document = config.string("document");
            if (!DOCUMENT.matcher(document).matches()) {
                throw new IllegalArgumentException("step " + step + ": 'document' is not an SSM document name: " + document);
            }
            String bucket = config.string("output-s3-bucket", null);
            if (bucket != null && !BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("step " + step + ": 'output-s3-bucket' is not an S3 bucket name: " + bucket);
            }
            String prefix = config.string("output-s3-prefix", null);
            Map<String, List<String>> parameters = new LinkedHashMap<>();
            // An error names the parameter and its index, never the template, which may hold a secret.
            config.stringLists("parameters").forEach((name, templates) -> {
                List<String> values = new java.util.ArrayList<>();
                for (int i = 0; i < templates.size(); i++) {
                    values.add(Templates.renderChecked(templates.get(i), "parameter " + name + "[" + i + "]", request.event(),
                            request.facts(), Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
                }
                parameters.put(name, List.copyOf(values));
            });
            // The comment shows in the SSM console: by default, who sent the command and for what.
            String comment = config.string("comment", null);
            comment = comment == null ? "lifeguard " + request.event().describe() : request.render(comment);
            String renderedPrefix = prefix == null ? null
                    : Templates.renderChecked(prefix, request.event(), request.facts(), S3_PREFIX, S3_PREFIX_RULE);
            return new Settings(document, parameters, bucket, renderedPrefix,
                    comment.length() > MAX_COMMENT ? comment.substring(0, MAX_COMMENT) : comment,
                    config.positiveDuration("timeout", Duration.ofSeconds(600)),
                    config.positiveDuration("poll-interval", Duration.ofSeconds(5)),
                    config.positiveDuration("heartbeat-interval", Duration.ofSeconds(60)));
        }
    }
}
