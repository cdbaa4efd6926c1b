package dev.lifeguard;

import java.nio.file.Path;
import org.apache.camel.main.Main;

/** Runs Lifeguard with routes from routes/ and settings from config/ under LIFEGUARD_HOME (the working directory by default). */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
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
