package dev.lifeguard.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lifeguard.event.Envelope;
import dev.lifeguard.event.Kind;
import dev.lifeguard.event.LifecycleEvent;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplatesTest {
    private static final String INSTANCE = "i-0123456789abcdef0";
    private static final InstanceFacts FACTS =
            new InstanceFacts(INSTANCE, "running", "10.0.0.5", null, "ip-10-0-0-5.ec2.internal", "", "web 1");

    private static LifecycleEvent hook(String group) {
        return new LifecycleEvent(Kind.TERMINATING, Kind.TERMINATING.eventName(), Envelope.DIRECT, group, INSTANCE, "drain/hook",
                UUID.randomUUID().toString(), null, null, "m-1", null, null, null, null, null, null);
    }

    @Test
    void renderCheckedRefusesADollarFromTheGroupNameButKeepsTheTemplatesOwn() {
        String template = "echo $HOME/{group} ${isEligible}";

        assertEquals("echo $HOME/web-asg ${isEligible}",
                Templates.renderChecked(template, hook("web-asg"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> Templates.renderChecked(template, hook("prod$green"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));

        assertEquals("{group} \"prod$green\" in template \"echo $HOME/{group} ${isEligible}\" is not allowed there: "
                + Templates.SHELL_SAFE_RULE, error.getMessage());
    }

    @Test
    void renderCheckedNamesThePlaceholderWhoseValueBrokeTheRule() {
        PermanentStepException error = assertThrows(PermanentStepException.class, () -> Templates.renderChecked(
                "tag {instanceId} {name}", hook("web-asg"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));

        assertTrue(error.getMessage().startsWith("{name} \"web 1\" in template"), error::getMessage);
    }

    @Test
    void renderCheckedRendersLikeRenderWhenEveryValueMatches() {
        String template = "{group}/{instanceId}/{hook}/{privateIp}/{privateDns}";
        String rendered = Templates.render(template, hook("web-asg"), FACTS);

        assertEquals("web-asg/" + INSTANCE + "/drain/hook/10.0.0.5/ip-10-0-0-5.ec2.internal", rendered);
        assertEquals(rendered, Templates.renderChecked(template, hook("web-asg"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
    }

    @Test
    void renderCheckedStillReportsAMissingValueAsMissing() {
        assertThrows(Templates.MissingValueException.class, () -> Templates.renderChecked("{nodeName}", hook("web-asg"), FACTS,
                Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
    }

    /** Group names AWS accepts that a shell would read as more than one plain word. */
    @ParameterizedTest(name = "group \"{0}\" is not shell-safe")
    @ValueSource(strings = {"prod$green", "batch *", "web servers", "a;b", "a|b", "a&b", "a`id`", "a'b", "a\"b", "a\\b",
            "a\nb", "a\tb", "a>b", "a<b", "(a)", "a{b}", "~a", "a#b", "a!b", "a?b", "[ab]", "café"})
    void shellSafeRefusesWhatAShellWouldInterpret(String group) {
        assertThrows(PermanentStepException.class,
                () -> Templates.renderChecked("x {group}", hook(group), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
    }

    @ParameterizedTest(name = "\"{0}\" is shell-safe")
    @ValueSource(strings = {"web-asg", "web.asg_2", "arn:aws:prod", "team/web", "a@b", "a+b=c,d", "ip-10-0-0-1.ec2.internal",
            "i-0abc", "10.0.0.1", "web-servers", "a/b", "web-", "a-b/-c", ".hidden", "a/.b", "..x", "x..", "a/.../b", "a//b", "/abs"})
    void shellSafeAcceptsPlainWords(String group) {
        assertEquals("x " + group,
                Templates.renderChecked("x {group}", hook(group), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
    }

    /** A leading '-' is read as an option; a '.' or '..' segment stays in or climbs out of the directory a template names. */
    @ParameterizedTest(name = "\"{0}\" is not shell-safe")
    @ValueSource(strings = {"-rf", "-", "--help", "..", ".", "a/../b", "./x", "x/.", "../etc/passwd", "a/..", "a/./b", "/..", "../"})
    void shellSafeRefusesALeadingDashAndDotSegments(String group) {
        PermanentStepException error = assertThrows(PermanentStepException.class,
                () -> Templates.renderChecked("tar czf /tmp/{group}.tgz", hook(group), FACTS, Templates.SHELL_SAFE,
                        Templates.SHELL_SAFE_RULE));
        assertTrue(error.getMessage().endsWith("is not allowed there: " + Templates.SHELL_SAFE_RULE), error::getMessage);
    }

    @Test
    void theShellSafeRuleSaysWhatItRefuses() {
        assertTrue(Templates.SHELL_SAFE_RULE.contains("may not start with '-'"), Templates.SHELL_SAFE_RULE);
        assertTrue(Templates.SHELL_SAFE_RULE.contains("'.' or '..' as a path segment"), Templates.SHELL_SAFE_RULE);
    }

    @Test
    void renderCheckedWithAPlaceNamesItInsteadOfQuotingTheTemplate() {
        String template = "curl -H 'Authorization: Bearer s3cr3t' https://example.com/{group}";
        PermanentStepException unsafe = assertThrows(PermanentStepException.class, () -> Templates.renderChecked(template,
                "parameter commands[1]", hook("../x"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
        assertTrue(unsafe.getMessage().startsWith("{group} \"../x\" in parameter commands[1] is not allowed there"), unsafe::getMessage);
        Templates.MissingValueException missing = assertThrows(Templates.MissingValueException.class, () -> Templates.renderChecked(
                template + " {nodeName}", "parameter commands[1]", hook("web"), FACTS, Templates.SHELL_SAFE, Templates.SHELL_SAFE_RULE));
        assertTrue(missing.getMessage().startsWith("parameter commands[1] needs {nodeName}"), missing::getMessage);
        for (String message : new String[] {unsafe.getMessage(), missing.getMessage()}) {
            assertTrue(!message.contains("s3cr3t"), message);
        }
    }
}
