package dev.lifeguard.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * The IAM actions compiled classes call through the AWS SDK v2, read from their bytecode with
 * javap (in process): every method reference, invoked or taken as a lambda, to a service
 * client ({@code software/amazon/awssdk/services/<svc>/<Svc>Client}) or to one of its waiters.
 * An operation is recognised by its return type (the operation's {@code ...Response} or a
 * paginator's {@code ...Iterable}), so method names are never guessed. Anything the SDK offers
 * that this cannot map (async clients, the DynamoDB enhanced client, a waiter or method shape
 * not listed here, a service without an IAM prefix here) fails instead of being left out.
 */
final class SdkCalls {
    /** SDK service package → IAM service prefix. */
    static final Map<String, String> IAM_PREFIX = Map.of(
            "sqs", "sqs",
            "sns", "sns",
            "dynamodb", "dynamodb",
            "autoscaling", "autoscaling",
            "ec2", "ec2",
            "route53", "route53",
            "ssm", "ssm",
            "ecs", "ecs",
            "secretsmanager", "secretsmanager",
            "sts", "sts");

    /**
     * The SDK's credentials providers that call STS themselves whenever their session nears its
     * end: building one is a call of that action, from then on.
     */
    static final Map<String, String> CREDENTIALS_PROVIDERS = Map.of(
            "sts/auth/StsAssumeRoleCredentialsProvider", "sts:AssumeRole",
            "sts/auth/StsAssumeRoleWithWebIdentityCredentialsProvider", "sts:AssumeRoleWithWebIdentity",
            "sts/auth/StsAssumeRoleWithSamlCredentialsProvider", "sts:AssumeRoleWithSAML",
            "sts/auth/StsGetSessionTokenCredentialsProvider", "sts:GetSessionToken",
            "sts/auth/StsGetFederationTokenCredentialsProvider", "sts:GetFederationToken");

    /**
     * Operations whose IAM action has another name. SQS authorises a batch as the single
     * action; DynamoDB's BatchGetItem and BatchWriteItem are actions of their own, and a
     * TransactGetItems is authorised as GetItem on each item.
     */
    static final Map<String, String> ACTION_OF_OPERATION = Map.of(
            "sqs:DeleteMessageBatch", "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility",
            "sqs:SendMessageBatch", "sqs:SendMessage",
            "dynamodb:TransactGetItems", "dynamodb:GetItem");

    /**
     * Operations whose IAM actions depend on what the request holds, which bytecode does not
     * show: TransactWriteItems is authorised per item as PutItem, UpdateItem, DeleteItem or
     * ConditionCheckItem; PartiQL statements as PartiQLSelect, PartiQLInsert, ….
     */
    static final Set<String> UNMAPPABLE = Set.of("dynamodb:TransactWriteItems", "dynamodb:ExecuteStatement",
            "dynamodb:BatchExecuteStatement", "dynamodb:ExecuteTransaction");

    /** Waiters poll a describe operation. */
    static final Map<String, String> WAITERS = Map.of(
            "dynamodb:waitUntilTableExists", "dynamodb:DescribeTable",
            "dynamodb:waitUntilTableNotExists", "dynamodb:DescribeTable",
            "ec2:waitUntilInstanceExists", "ec2:DescribeInstances",
            "ec2:waitUntilInstanceRunning", "ec2:DescribeInstances",
            "ec2:waitUntilInstanceStopped", "ec2:DescribeInstances",
            "ec2:waitUntilInstanceTerminated", "ec2:DescribeInstances",
            "route53:waitUntilResourceRecordSetsChanged", "route53:GetChange",
            "ssm:waitUntilCommandExecuted", "ssm:GetCommandInvocation");

    /** Client methods that are not calls to AWS. */
    private static final Set<String> NOT_OPERATIONS = Set.of("builder", "create", "close", "serviceName",
            "serviceClientConfiguration", "waiter", "utilities");

    private static final Pattern CLASS = Pattern.compile("^\\S.*?\\b(?:class|interface|enum)\\s+([\\w.$]+)");
    private static final Pattern REFERENCE = Pattern.compile(
            "=\\s+(?:Interface)?Methodref\\s.*//\\s+software/amazon/awssdk/services/(\\w+)/([\\w/]+)\\.(\\w+):\\(([^)]*)\\)(\\S+)");
    private static final Pattern OTHER_SDK_API = Pattern.compile(
            "//\\s+(software/amazon/awssdk/(?:services/\\w+/\\w+AsyncClient|enhanced/)[\\w/$]*)");

    private SdkCalls() {
    }

    /** IAM action → the classes that call it, for every class file under {@code root}. */
    static Map<String, Set<String>> in(Path root) {
        List<String> classFiles = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class")).sorted().forEach(f -> classFiles.add(f.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (classFiles.isEmpty()) {
            throw new AssertionError("no class files under " + root + ": compile first");
        }
        Map<String, Set<String>> callers = new TreeMap<>();
        String currentClass = "?";
        for (String line : javap(classFiles).split("\n")) {
            boolean indented = line.startsWith(" ");
            if (indented && !line.contains("software/amazon/awssdk/")) {
                continue; // most of the listing: nothing to match, and matching it costs
            }
            Matcher declaration = CLASS.matcher(line);
            if (declaration.find()) {
                currentClass = declaration.group(1);
                continue;
            }
            Matcher other = OTHER_SDK_API.matcher(line);
            if (other.find()) {
                throw new AssertionError(currentClass + " uses " + other.group(1)
                        + ", whose AWS calls this scan cannot see; call the synchronous service client instead, or teach SdkCalls it");
            }
            Matcher reference = REFERENCE.matcher(line);
            if (reference.find()) {
                String action = action(reference.group(1), reference.group(2), reference.group(3), reference.group(5), currentClass);
                if (action != null) {
                    callers.computeIfAbsent(action, a -> new TreeSet<>()).add(currentClass);
                }
            }
        }
        return callers;
    }

    private static String action(String service, String owner, String method, String returnType, String caller) {
        String where = caller + " → " + service + "/" + owner + "." + method;
        String provided = CREDENTIALS_PROVIDERS.get(service + "/" + owner);
        if (provided != null) {
            return provided;
        }
        boolean client = owner.matches("\\w+Client");
        boolean waiter = owner.matches("waiters/\\w+Waiter");
        if (!client && !waiter) {
            return null; // model classes, builders, exceptions: no call to AWS
        }
        String prefix = IAM_PREFIX.get(service);
        if (prefix == null) {
            throw new AssertionError(where + ": no IAM prefix known for SDK service '" + service + "'; add it to SdkCalls.IAM_PREFIX");
        }
        if (waiter) {
            if (NOT_OPERATIONS.contains(method)) {
                return null;
            }
            String action = WAITERS.get(prefix + ":" + method);
            if (action == null) {
                throw new AssertionError(where + ": unknown waiter; add the operation it polls to SdkCalls.WAITERS");
            }
            return action;
        }
        Matcher operation = Pattern.compile("Lsoftware/amazon/awssdk/services/" + service
                + "/(?:model/(\\w+)Response|paginators/(\\w+)Iterable);").matcher(returnType);
        if (!operation.matches()) {
            if (NOT_OPERATIONS.contains(method)) {
                return null;
            }
            throw new AssertionError(where + " returns " + returnType + ": not an operation SdkCalls can map");
        }
        String name = operation.group(1) != null ? operation.group(1) : operation.group(2);
        String action = prefix + ":" + name;
        if (UNMAPPABLE.contains(action)) {
            throw new AssertionError(where + ": " + action + " is authorised by the actions its request holds; map it by hand");
        }
        return ACTION_OF_OPERATION.getOrDefault(action, action);
    }

    private static String javap(List<String> classFiles) {
        ToolProvider javap = ToolProvider.findFirst("javap")
                .orElseThrow(() -> new AssertionError("javap is not available in this JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> args = new ArrayList<>(List.of("-v", "-p"));
        args.addAll(classFiles);
        int status = javap.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
        if (status != 0) {
            throw new AssertionError("javap failed (" + status + "): " + err);
        }
        return out.toString();
    }
}
