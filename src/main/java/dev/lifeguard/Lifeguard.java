package dev.lifeguard;

import dev.lifeguard.cli.Commands;
import java.nio.file.Path;
import org.apache.camel.main.Main;

/**
 * Runs Lifeguard with routes from routes/ and settings from config/ under LIFEGUARD_HOME (the
 * working directory by default); {@code history} and {@code plan} as the first argument run
 * that command instead (see {@link Commands}).
 */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
        if (Commands.handles(args)) {
            // history or plan: read, print, exit; no route starts, no queue is polled.
            System.exit(Commands.run(args));
        }
        Path home = StartupChecks.home();
        Main main = new Main();
        main.configure().addConfiguration(LifeguardConfiguration.class);
        main.setPropertyPlaceholderLocations("file:" + home.resolve("config/application.properties"));
        main.addMainListener(new StartupListener(home));
        try {
            System.exit(main.run(args));
        } catch (RuntimeException e) {
            String mistake = StartupChecks.explain(e);
            if (mistake == null) {
                throw e;
            }
            System.err.println("lifeguard: " + mistake);
            System.exit(2);
        }
    }
}
