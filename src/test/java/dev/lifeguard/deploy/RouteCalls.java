package dev.lifeguard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The IAM actions that Camel components named in the routes call on their own, worked out from
 * each endpoint's URI and options. aws2-sqs is mapped from camel-aws2-sqs 4.17's Sqs2Endpoint,
 * Sqs2Consumer and Sqs2Producer, aws2-sns from camel-aws2-sns 4.17's Sns2Endpoint and
 * Sns2Producer; any other AWS component fails until mapped.
 */
final class RouteCalls {
    /** Endpoint options that make Sqs2Endpoint call SetQueueAttributes at start-up. */
    private static final List<String> QUEUE_ATTRIBUTE_OPTIONS = List.of("defaultVisibilityTimeout", "maximumMessageSize",
            "messageRetentionPeriod", "policy", "receiveMessageWaitTimeSeconds", "redrivePolicy", "kmsMasterKeyId",
            "kmsDataKeyReusePeriodSeconds");

    private static final Map<String, String> PRODUCER_OPERATIONS = Map.of(
            "sendMessage", "sqs:SendMessage",
            "sendBatchMessage", "sqs:SendMessage", // SendMessageBatch, authorised as SendMessage
            "deleteMessage", "sqs:DeleteMessage",
            "listQueues", "sqs:ListQueues",
            "purgeQueue", "sqs:PurgeQueue",
            "deleteQueue", "sqs:DeleteQueue");

    private RouteCalls() {
    }

    /** IAM action → the route files (and endpoints) that call it, for every *.camel.yaml under {@code dir}. */
    static Map<String, Set<String>> in(Path dir) {
        Map<String, Set<String>> callers = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList()) {
                String yaml = Files.readString(file, StandardCharsets.UTF_8);
                boolean deletesFiltered = yaml.contains("CamelAwsSqsDeleteFiltered");
                Object routes = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
                walk(routes, false, (uri, parameters, consumer) -> {
                    for (String action : actions(uri, parameters, consumer, deletesFiltered)) {
                        callers.computeIfAbsent(action, a -> new TreeSet<>()).add(file.getFileName() + " " + uri);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return callers;
    }

    interface EndpointVisitor {
        void endpoint(String uri, Map<String, Object> parameters, boolean consumer);
    }

    /**
     * Every endpoint in a route tree: a {@code uri} key with its sibling {@code parameters}, or a
     * plain string that names an AWS component (the short form of {@code to}). Endpoints under
     * {@code from} consume, but for its {@code steps}.
     */
    @SuppressWarnings("unchecked")
    static void walk(Object node, boolean underFrom, EndpointVisitor visitor) {
        if (node instanceof Map<?, ?> map) {
            Object uri = map.get("uri");
            if (uri instanceof String text) {
                Object parameters = map.get("parameters");
                visitor.endpoint(text, parameters instanceof Map ? (Map<String, Object>) parameters : Map.of(), underFrom);
            }
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey().equals("uri") || entry.getKey().equals("parameters")) {
                    continue;
                }
                // The YAML DSL nests a route's steps under its from: they produce.
                boolean from = !entry.getKey().equals("steps") && (underFrom || entry.getKey().equals("from"));
                if (entry.getValue() instanceof String text && isAws(text)) {
                    visitor.endpoint(text, Map.of(), from);
                } else {
                    walk(entry.getValue(), from, visitor);
                }
            }
        } else if (node instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String text && isAws(text)) {
                    visitor.endpoint(text, Map.of(), underFrom);
                } else {
                    walk(item, underFrom, visitor);
                }
            }
        }
    }

    private static boolean isAws(String text) {
        return text.matches("aws[\\w-]*:.*");
    }

    /** The IAM actions one endpoint calls. */
    static Set<String> actions(String uri, Map<String, Object> parameters, boolean consumer, boolean routeSetsDeleteFiltered) {
        int colon = uri.indexOf(':');
        String scheme = colon < 0 ? uri : uri.substring(0, colon);
        if (!scheme.startsWith("aws")) {
            return Set.of();
        }
        if (scheme.equals("aws2-sns")) {
            return snsActions(uri, options(uri, parameters), consumer);
        }
        if (!scheme.equals("aws2-sqs")) {
            throw new AssertionError("endpoint '" + uri + "' uses " + scheme + ", whose AWS calls RouteCalls does not map yet");
        }
        Map<String, String> options = options(uri, parameters);
        Set<String> actions = new TreeSet<>();

        // Sqs2Endpoint.doInit: find the queue's URL unless given, create it or set its attributes.
        boolean urlGiven = options.containsKey("queueUrl")
                || (options.containsKey("region") && options.containsKey("queueOwnerAWSAccountId"));
        if (!urlGiven) {
            actions.add(options.containsKey("queueOwnerAWSAccountId") ? "sqs:GetQueueUrl" : "sqs:ListQueues");
            if (isTrue(options, "autoCreateQueue", false)) {
                actions.add("sqs:GetQueueUrl");
                actions.add("sqs:CreateQueue");
            }
        }
        boolean setsAttributes = QUEUE_ATTRIBUTE_OPTIONS.stream().anyMatch(options::containsKey)
                || (options.containsKey("delaySeconds") && isTrue(options, "delayQueue", false));
        if (setsAttributes) {
            actions.add("sqs:SetQueueAttributes");
        }

        if (consumer) {
            actions.add("sqs:ReceiveMessage");
            // Sqs2Consumer.processCommit deletes when deleteAfterRead, or when a route marks the
            // exchange with CamelAwsSqsDeleteFiltered and deleteIfFiltered holds.
            if (isTrue(options, "deleteAfterRead", true)
                    || (routeSetsDeleteFiltered && isTrue(options, "deleteIfFiltered", true))) {
                actions.add("sqs:DeleteMessage");
            }
            // The TimeoutExtender: ChangeMessageVisibilityBatch, authorised as ChangeMessageVisibility.
            if (isTrue(options, "extendMessageVisibility", false)) {
                actions.add("sqs:ChangeMessageVisibility");
            }
        } else {
            String operation = options.getOrDefault("operation", "sendMessage");
            String action = PRODUCER_OPERATIONS.get(operation);
            if (action == null) {
                throw new AssertionError("endpoint '" + uri + "': aws2-sqs operation '" + operation + "' is not mapped");
            }
            actions.add(action);
        }
        return actions;
    }

    /**
     * camel-aws2-sns 4.17 (Sns2Component, Sns2Endpoint.doInit, Sns2Producer): a path that is a
     * topic ARN is used as it is, any other name is looked up (ListTopics) or, with
     * autoCreateTopic, created; a policy or KMS key sets the topic's attributes; subscribeSNStoSQS
     * subscribes a queue; the producer publishes (PublishBatch for a list body, authorised as
     * Publish). A dynamic path ({@code ${...}}) counts as an ARN only with autoCreateTopic=false,
     * since the notifier checks every topic ARN before sending.
     */
    private static Set<String> snsActions(String uri, Map<String, String> options, boolean consumer) {
        if (consumer) {
            throw new AssertionError("endpoint '" + uri + "': aws2-sns has no consumer");
        }
        String path = uri.substring(uri.indexOf(':') + 1);
        int query = path.indexOf('?');
        path = query < 0 ? path : path.substring(0, query);
        Set<String> actions = new TreeSet<>();
        boolean autoCreate = isTrue(options, "autoCreateTopic", false);
        boolean arn = path.startsWith("arn:") || path.startsWith("${") && !autoCreate;
        if (!arn) {
            actions.add("sns:ListTopics");
            if (autoCreate) {
                actions.add("sns:CreateTopic");
            }
        }
        if (options.containsKey("policy") || options.containsKey("kmsMasterKeyId")) {
            actions.add("sns:SetTopicAttributes");
        }
        if (isTrue(options, "subscribeSNStoSQS", false)) {
            actions.add("sns:Subscribe");
        }
        actions.add("sns:Publish");
        return actions;
    }

    private static Map<String, String> options(String uri, Map<String, Object> parameters) {
        Map<String, String> options = new LinkedHashMap<>();
        int query = uri.indexOf('?');
        if (query >= 0) {
            for (String pair : uri.substring(query + 1).split("&")) {
                int eq = pair.indexOf('=');
                options.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        parameters.forEach((name, value) -> options.put(name, String.valueOf(value)));
        return options;
    }

    private static boolean isTrue(Map<String, String> options, String name, boolean byDefault) {
        String value = options.get(name);
        if (value == null) {
            return byDefault;
        }
        // A property placeholder may say either: count the calls it could make.
        return value.contains("{{") || Boolean.parseBoolean(value.trim());
    }
}
