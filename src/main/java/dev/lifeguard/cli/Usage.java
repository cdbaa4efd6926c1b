package dev.lifeguard.cli;

import dev.lifeguard.Setting;
import dev.lifeguard.Settings;
import dev.lifeguard.Version;
import java.io.PrintStream;

/** What {@code --help} prints: how to start the service, the commands, the settings that must be set, the exit statuses. */
final class Usage {
    private Usage() {
    }

    static void print(PrintStream out) {
        out.println(Version.describe() + ": runs the steps each EC2 Auto Scaling lifecycle event calls for, from SQS.");
        out.println();
        out.println("Usage: java -jar lifeguard.jar [command]");
        out.println();
        out.println("  (no command)  run the service: routes/ and config/ from LIFEGUARD_HOME, else the working directory");
        out.println("  history [--json] [--limit N] [--group] <instance-id | group-name>");
        out.println("                what Lifeguard did for an instance or a group, from the table");
        out.println("  history [--json] --retained");
        out.println("                the instances Auto Scaling retained after their terminating hook was abandoned");
        out.println("  plan [--describe] <event.json | ->");
        out.println("                what it would do with an event body, with the current profiles; calls nothing");
        out.println("  status [--json]");
        out.println("                every event in flight across the replicas: owner, lease, attempt, steps so far");
        out.println("  resume [--terminate-only] <instance-id>");
        out.println("                for an instance Auto Scaling retained after its terminating hook was abandoned: run the");
        out.println("                steps not recorded done, then terminate it (desired capacity unchanged)");
        out.println("  --help, -h, help");
        out.println("                this text");
        out.println("  --version     the version and the git commit it was built from");
        out.println();
        out.println("Settings: an environment variable, a Java system property, or config/application.properties.");
        out.println("The service needs:");
        for (Setting<?> setting : Settings.ALL) {
            if (setting.isRequired()) {
                out.printf("  %-28s %s%n", setting.environmentVariable(), setting.plainDescription());
            }
        }
        out.printf("  %-28s %s%n", "AWS_REGION", "the region; credentials from the AWS SDK's default chain (task role,"
                + " environment, profile)");
        out.printf("  %-28s %s%n", Settings.TABLE.environmentVariable(), "the DynamoDB table (default " + Settings.TABLE.defaultValue()
                + "); history and status read it too");
        out.println("Every setting, with its default: README.md, section \"Configuration\".");
        out.println();
        out.println("Exit status:");
        out.println("  0  the service stopped normally; a command did what it was asked");
        out.println("  1  history found no record; plan shows a step that would fail; status found nothing in flight;");
        out.println("     resume found nothing to resume (no retained record, resumed already, or not retained any more)");
        out.println("  2  a start-up mistake (one line on standard error names the setting to fix), or a command could not");
        out.println("     answer (bad argument, missing table or index, AWS unreachable), with one line saying why; resume:");
        out.println("     a step failed again (the instance stays retained)");
    }
}
