package dev.lifeguard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The task role in deploy/lifeguard.yaml grants exactly the AWS actions Lifeguard calls: those
 * its compiled classes call through the SDK (read from the bytecode by {@link SdkCalls}) and
 * those the Camel components in routes/ call on their own ({@link RouteCalls}), less the calls
 * made only when Lifeguard creates its own table, which the template does instead, plus the
 * calls announced for a class not compiled yet ({@link #ANNOUNCED}).
 */
class DeployTemplateIamTest {
    private static final Path MAIN_CLASSES = Path.of("target/classes/dev/lifeguard");
    private static final Path ROUTES = Path.of("routes");
    private static final Path FIXTURES = Path.of("target/test-classes/dev/lifeguard/deploy/fixture");

    /** The class whose calls create the table; only its calls may be left ungranted. */
    private static final String TABLE_CREATION = "dev.lifeguard.store.LifeguardTable";

    /**
     * Called, deliberately not granted: only with lifeguard.table.create=true, which the task
     * definition does not set, because the template creates the table with its indexes and TTL.
     */
    private static final Map<String, String> NOT_GRANTED = Map.of(
            "dynamodb:CreateTable", "the template creates the table; LIFEGUARD_TABLE_CREATE stays false",
            "dynamodb:UpdateTimeToLive", "the template enables TTL on expiresAt; only table creation calls it",
            "dynamodb:DescribeTimeToLive", "only table creation asks whether TTL is on");

    /** Called, and needs no grant: AWS allows it to every principal, and no policy can deny it. */
    private static final Set<String> NEEDS_NO_GRANT = Set.of("sts:GetCallerIdentity");

    /** Commands operators run with their own credentials (history, plan): granted by the operator policy, not the task role. */
    private static final String OPERATOR_COMMANDS = "dev.lifeguard.cli.";

    /** Actions without resource-level permissions: IAM only accepts "*" for them. */
    static final Set<String> ONLY_WITH_STAR = Set.of("autoscaling:DescribeLifecycleHooks",
            "autoscaling:DescribeAutoScalingInstances", "ec2:DescribeInstances", "ssm:GetCommandInvocation", "ssm:CancelCommand");

    /** Where the main classes are compiled, by class name. */
    private static final Path CLASSES_ROOT = Path.of("target/classes");

    /**
     * Calls the template grants before the code that makes them is in: action → the class that
     * makes it. While that class is not compiled, the action counts as called by it; once it is,
     * the bytecode decides, and the class must be found calling the action (then the entry only
     * repeats what the scan finds and can go).
     */
    static final Map<String, String> ANNOUNCED = Map.of();

    @Test
    void theOperatorPolicyGrantsWhatTheCommandsCallAndNothingTheCodeDoesNot() {
        Map<String, Set<String>> called = calledActions();
        Set<String> byCommands = new TreeSet<>();
        called.forEach((action, callers) -> {
            if (callers.stream().anyMatch(caller -> caller.startsWith(OPERATOR_COMMANDS))) {
                byCommands.add(action);
            }
        });
        assertTrue(byCommands.contains("dynamodb:Query"), "history queries the indexes: " + byCommands);
        Set<String> granted = operatorGrants(DeployTemplate.load());
        Set<String> missing = new TreeSet<>(byCommands);
        missing.removeAll(granted);
        assertEquals(Set.of(), missing, "called by the commands but not in OperatorPolicy");
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(called.keySet());
        assertEquals(Set.of(), unused, "granted to operators but never called");
    }

    @Test
    void theTaskRoleGrantsEveryActionLifeguardCallsAndNothingElse() {
        Map<String, Set<String>> called = taskActions(calledActions());
        Map<String, List<Object>> granted = grants(DeployTemplate.load());

        Set<String> required = new TreeSet<>(called.keySet());
        required.removeAll(NOT_GRANTED.keySet());
        required.removeAll(NEEDS_NO_GRANT);
        String difference = difference(required, granted.keySet(), called);
        assertEquals("", difference, difference);
    }

    @Test
    void tableCreationIsLeftToTheTemplate() {
        Map<String, Set<String>> code = codeCalls();
        // The exclusion is about a call the code really makes...
        assertTrue(code.containsKey("dynamodb:CreateTable"), "the code no longer calls CreateTable: " + code.keySet());
        // ...only while creating the table...
        for (String action : NOT_GRANTED.keySet()) {
            Set<String> callers = code.getOrDefault(action, Set.of());
            assertTrue(callers.stream().allMatch(TABLE_CREATION::equals),
                    action + " is left ungranted because only table creation calls it (" + NOT_GRANTED.get(action)
                            + "), but these call it too: " + callers);
        }
        // ...and the task role may not create tables.
        Map<String, List<Object>> granted = grants(DeployTemplate.load());
        assertFalse(granted.containsKey("dynamodb:CreateTable"), "the task role must not get dynamodb:CreateTable");
        assertFalse(granted.containsKey("dynamodb:UpdateTimeToLive"), "the task role must not get dynamodb:UpdateTimeToLive");
        String environment = DeployTemplate.load().properties("TaskDefinition").toString();
        assertFalse(environment.contains("LIFEGUARD_TABLE_CREATE"), "the task must not create its table");
    }

    @Test
    void onlyActionsIamCannotScopeGetEveryResource() {
        grants(DeployTemplate.load()).forEach((action, resources) -> {
            boolean star = resources.stream().anyMatch("*"::equals);
            if (ONLY_WITH_STAR.contains(action)) {
                assertEquals(List.of("*"), resources, action + " takes no resource: grant it on \"*\" alone");
            } else {
                assertFalse(star, action + " supports resource-level permissions but is granted on \"*\"");
            }
        });
    }

    @Test
    void aPolicyThatMissesOrAddsAnActionIsReported() throws Exception {
        String template = Files.readString(DeployTemplate.FILE, StandardCharsets.UTF_8);
        String broken = template.replaceFirst("(?m)^(\\s+)- ssm:CancelCommand\\n", "")
                .replaceFirst("(?m)^(\\s+)- sqs:ReceiveMessage\\n", "$1- sqs:ReceiveMessage\n$1- sqs:PurgeQueue\n");
        assertTrue(!broken.equals(template) && broken.contains("sqs:PurgeQueue") && !broken.contains("ssm:CancelCommand"));

        Map<String, Set<String>> called = taskActions(calledActions());
        Set<String> required = new TreeSet<>(called.keySet());
        required.removeAll(NOT_GRANTED.keySet());
        required.removeAll(NEEDS_NO_GRANT);
        String difference = difference(required, grants(DeployTemplate.parse(broken)).keySet(), called);
        assertTrue(difference.contains("called but not granted: ssm:CancelCommand"), difference);
        assertTrue(difference.contains("granted but never called: sqs:PurgeQueue"), difference);
    }

    @Test
    void theBytecodeScanFindsEveryKindOfCall() {
        // Plain calls, a batch, a paginator, a waiter and a method reference (SdkCallsFixture).
        Map<String, Set<String>> found = SdkCalls.in(FIXTURES.resolve("sync"));
        assertEquals(Set.of("sqs:PurgeQueue", "sqs:SendMessage", "ec2:DescribeInstances", "dynamodb:DescribeTable",
                "sqs:DeleteMessage", "autoscaling:DescribeAutoScalingInstances"), found.keySet());
        // A new call in the code that the policy does not grant is reported as such.
        Set<String> required = new TreeSet<>(taskActions(calledActions()).keySet());
        required.removeAll(NOT_GRANTED.keySet());
        required.removeAll(NEEDS_NO_GRANT);
        required.addAll(found.keySet());
        String difference = difference(required, grants(DeployTemplate.load()).keySet(), found);
        assertTrue(difference.contains("called but not granted: sqs:PurgeQueue"), difference);
    }

    @Test
    void anAnnouncementCountsUntilItsClassIsCompiledThenTheBytecodeDecides() {
        Path testClasses = Path.of("target/test-classes");
        Map<String, Set<String>> found = SdkCalls.in(FIXTURES.resolve("sync"));
        String fixture = "dev.lifeguard.deploy.fixture.sync.SdkCallsFixture";
        // Not compiled: the action counts as called, and says by whom.
        assertEquals(Map.of("ec2:TerminateInstances", Set.of("dev.lifeguard.Missing (announced; not compiled yet)")),
                announced(Map.of("ec2:TerminateInstances", "dev.lifeguard.Missing"), testClasses, found));
        // Compiled and calling it: the scan has it already, the announcement adds nothing.
        assertEquals(Map.of(), announced(Map.of("autoscaling:DescribeAutoScalingInstances", fixture), testClasses, found));
        assertEquals(Set.of(fixture), found.get("autoscaling:DescribeAutoScalingInstances"));
        // Compiled without the call: refused, so a grant cannot outlive the plan that asked for it.
        AssertionError refused = assertThrows(AssertionError.class,
                () -> announced(Map.of("ec2:TerminateInstances", fixture), testClasses, found));
        assertTrue(refused.getMessage().contains("ec2:TerminateInstances"), refused.getMessage());
    }

    @Test
    void callsTheScanCannotSeeThroughFailIt() {
        AssertionError refused = assertThrows(AssertionError.class, () -> SdkCalls.in(FIXTURES.resolve("async")));
        assertTrue(refused.getMessage().contains("SqsAsyncClient"), refused.getMessage());
    }

    @Test
    void routeEndpointsMapToWhatCamelCalls() {
        // Lifeguard's intake: queueUrl given, deleteAfterRead=false, no visibility extender.
        assertEquals(Set.of("sqs:ReceiveMessage"), RouteCalls.actions("aws2-sqs:q",
                Map.of("queueUrl", "{{lifeguard.queue.url}}", "deleteAfterRead", false, "extendMessageVisibility", false,
                        "autoCreateQueue", false), true, false));
        // Camel's defaults: the URL looked up by listing, each message deleted after its exchange.
        assertEquals(Set.of("sqs:ListQueues", "sqs:ReceiveMessage", "sqs:DeleteMessage"),
                RouteCalls.actions("aws2-sqs:q", Map.of(), true, false));
        assertEquals(Set.of("sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:SetQueueAttributes"),
                RouteCalls.actions("aws2-sqs:q?queueOwnerAWSAccountId=123456789012&extendMessageVisibility=true"
                        + "&deleteAfterRead=false&defaultVisibilityTimeout=30", Map.of(), true, false));
        // A route that marks filtered exchanges for deletion.
        assertEquals(Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage"), RouteCalls.actions("aws2-sqs:q",
                Map.of("queueUrl", "u", "deleteAfterRead", false), true, true));
        // Producers.
        assertEquals(Set.of("sqs:ListQueues", "sqs:CreateQueue", "sqs:GetQueueUrl", "sqs:SendMessage"),
                RouteCalls.actions("aws2-sqs:q?autoCreateQueue=true", Map.of(), false, false));
        assertEquals(Set.of("sqs:PurgeQueue"), RouteCalls.actions("aws2-sqs:q?queueUrl=u&operation=purgeQueue", Map.of(), false, false));
        assertThrows(AssertionError.class, () -> RouteCalls.actions("aws2-s3:bucket", Map.of(), false, false));
        // SNS: an ARN is used as it is; a name is looked up, or created with autoCreateTopic.
        assertEquals(Set.of("sns:Publish"), RouteCalls.actions("aws2-sns:arn:aws:sns:eu-west-1:123456789012:news",
                Map.of("amazonSNSClient", "#snsClient"), false, false));
        assertEquals(Set.of("sns:ListTopics", "sns:Publish"), RouteCalls.actions("aws2-sns:news", Map.of(), false, false));
        assertEquals(Set.of("sns:ListTopics", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"),
                RouteCalls.actions("aws2-sns:news?autoCreateTopic=true&policy=p&subscribeSNStoSQS=true", Map.of(), false, false));
        assertEquals(Set.of("sns:Publish"), RouteCalls.actions("aws2-sns:${exchangeProperty.LifeguardTopicArn}",
                Map.of("autoCreateTopic", false), false, false));
        // What the project's routes call today: the intake's receive, the notifications' publish.
        assertEquals(Map.of("sqs:ReceiveMessage", Set.of("intake.camel.yaml aws2-sqs:{{queueName}}"),
                "sns:Publish", Set.of("notify.camel.yaml aws2-sns:${exchangeProperty.LifeguardTopicArn}")), RouteCalls.in(ROUTES));
    }

    private static Map<String, Set<String>> codeCalls;

    /** What the main classes call; read once, javap over every class takes a few seconds. */
    private static synchronized Map<String, Set<String>> codeCalls() {
        if (codeCalls == null) {
            codeCalls = SdkCalls.in(MAIN_CLASSES);
        }
        return codeCalls;
    }

    /** Every IAM action the code and the routes call, with who calls it. */
    static Map<String, Set<String>> calledActions() {
        Map<String, Set<String>> called = new TreeMap<>();
        codeCalls().forEach((action, callers) -> called.computeIfAbsent(action, a -> new TreeSet<>()).addAll(callers));
        RouteCalls.in(ROUTES).forEach((action, callers) -> called.computeIfAbsent(action, a -> new TreeSet<>()).addAll(callers));
        announced(ANNOUNCED, CLASSES_ROOT, codeCalls()).forEach((action, callers) ->
                called.computeIfAbsent(action, a -> new TreeSet<>()).addAll(callers));
        called.forEach((action, callers) -> System.out.println(action + " <- " + callers));
        return called;
    }

    /**
     * The announced calls to count as made: those whose class is not compiled under
     * {@code classesRoot}. A compiled class must be among the scan's callers of its action (itself
     * or a class nested in it), or this throws.
     */
    static Map<String, Set<String>> announced(Map<String, String> announcements, Path classesRoot,
            Map<String, Set<String>> scanned) {
        Map<String, Set<String>> pending = new TreeMap<>();
        announcements.forEach((action, owner) -> {
            if (!Files.exists(classFile(classesRoot, owner))) {
                pending.put(action, Set.of(owner + " (announced; not compiled yet)"));
                return;
            }
            Set<String> callers = scanned.getOrDefault(action, Set.of());
            if (callers.stream().noneMatch(caller -> caller.equals(owner) || caller.startsWith(owner + "$"))) {
                throw new AssertionError(owner + " is compiled but does not call " + action + " (called by " + callers
                        + "); the template grants it for that class: move the announcement to the class that calls it,"
                        + " or drop the grant and the announcement");
            }
        });
        return pending;
    }

    private static Path classFile(Path classesRoot, String className) {
        return classesRoot.resolve(className.replace('.', '/') + ".class");
    }

    /** The calls the service makes: those only the operators' commands make are left out. */
    static Map<String, Set<String>> taskActions(Map<String, Set<String>> called) {
        Map<String, Set<String>> task = new TreeMap<>();
        called.forEach((action, callers) -> {
            Set<String> service = new TreeSet<>(callers);
            service.removeIf(caller -> caller.startsWith(OPERATOR_COMMANDS));
            if (!service.isEmpty()) {
                task.put(action, service);
            }
        });
        return task;
    }

    /** The actions OperatorPolicy grants. */
    static Set<String> operatorGrants(DeployTemplate template) {
        Set<String> actions = new TreeSet<>();
        Map<String, Object> document = DeployTemplate.map(template.properties("OperatorPolicy").get("PolicyDocument"));
        for (Object item : DeployTemplate.alternatives(document.get("Statement"))) {
            Map<String, Object> statement = DeployTemplate.map(item);
            assertEquals("Allow", statement.get("Effect"), "only Allow statements: " + statement);
            DeployTemplate.list(statement.get("Action")).forEach(action -> actions.add((String) action));
        }
        return actions;
    }

    /**
     * The task role's grants: action → resources, over every statement the policy can hold
     * (both branches of each Fn::If). Only plain Allow statements with named actions.
     */
    static Map<String, List<Object>> grants(DeployTemplate template) {
        Map<String, List<Object>> grants = new TreeMap<>();
        for (Object policy : DeployTemplate.list(template.properties("TaskRole").get("Policies"))) {
            Map<String, Object> document = DeployTemplate.map(DeployTemplate.map(policy).get("PolicyDocument"));
            for (Object item : DeployTemplate.alternatives(document.get("Statement"))) {
                Map<String, Object> statement = DeployTemplate.map(item);
                assertEquals("Allow", statement.get("Effect"), "only Allow statements: " + statement);
                assertFalse(statement.containsKey("NotAction") || statement.containsKey("NotResource"),
                        "NotAction/NotResource grant more than they name: " + statement);
                for (Object action : DeployTemplate.list(statement.get("Action"))) {
                    String name = (String) action;
                    assertFalse(name.contains("*") || name.contains("?"), "wildcard action " + name);
                    List<Object> resources = grants.computeIfAbsent(name, a -> new ArrayList<>());
                    resources.addAll(DeployTemplate.list(statement.get("Resource")));
                }
            }
        }
        return grants;
    }

    static String difference(Set<String> required, Set<String> granted, Map<String, Set<String>> callers) {
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(granted);
        Set<String> unused = new TreeSet<>(granted);
        unused.removeAll(required);
        StringBuilder out = new StringBuilder();
        for (String action : missing) {
            out.append("called but not granted: ").append(action).append(" (by ").append(callers.get(action)).append(")\n");
        }
        for (String action : unused) {
            out.append("granted but never called: ").append(action).append('\n');
        }
        return out.toString();
    }
}
