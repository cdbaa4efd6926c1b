package dev.lifeguard;

import dev.lifeguard.log.LogFormat;
import java.nio.file.Path;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/** Runs Lifeguard with routes from ./routes and settings from ./config (see config/application.properties). */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
        String misplaced = StartupChecks.workingDirectory();
        if (misplaced != null) {
            System.err.println("lifeguard: " + misplaced);
            System.exit(2);
        }
        // Before the first logger exists: log4j2.xml reads the choice once.
        try {
            LogFormat.select(Path.of("config", "application.properties"), null);
        } catch (MisconfiguredException e) {
            System.err.println("lifeguard: " + e.getMessage());
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
