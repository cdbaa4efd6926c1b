package dev.lifeguard;

import dev.lifeguard.cli.Commands;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Runs Lifeguard with routes from ./routes and settings from ./config (see config/application.properties);
 * {@code history} and {@code plan} as the first argument run that command instead (see {@link Commands}).
 */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
        if (Commands.handles(args)) {
            // history or plan: read, print, exit; no route starts, no queue is polled.
            System.exit(Commands.run(args));
        }
        String misplaced = StartupChecks.workingDirectory();
        if (misplaced != null) {
            System.err.println("lifeguard: " + misplaced);
            System.exit(2);
        }
        Main main = new Main();
        main.configure().addConfiguration(LifeguardConfiguration.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeStart(BaseMainSupport starting) {
                LifeguardConfiguration.checkRoutes(starting.getCamelContext());
            }
        });
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
