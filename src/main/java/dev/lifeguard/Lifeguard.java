package dev.lifeguard;

import org.apache.camel.main.Main;

/** Runs Lifeguard with routes from ./routes and settings from ./config (see config/application.properties). */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
        String misplaced = StartupChecks.workingDirectory();
        if (misplaced != null) {
            System.err.println("lifeguard: " + misplaced);
            System.exit(2);
        }
        Main main = new Main();
        main.configure().addConfiguration(LifeguardConfiguration.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        try {
            System.exit(main.run(args));
        } catch (MisconfiguredException e) {
            System.err.println("lifeguard: " + e.getMessage());
            System.exit(2);
        }
    }
}
