package dev.lifeguard;

import dev.lifeguard.log.LogFormat;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.camel.main.Main;

/**
 * Runs the service: Camel Main with routes from routes/ and settings from config/ under
 * LIFEGUARD_HOME (the working directory by default). A start-up mistake ends it with status 2
 * and one line naming what to fix.
 *
 * <p>{@code --cds-training} (first argument) is the run that records the class-data sharing archive
 * the container starts with ({@code container/make-class-archive}): the service starts as usual,
 * against endpoints nobody answers; the start-up calls to AWS fail and are let pass, and once the
 * first poll of the queue has failed it stops, so the archive holds what a real start-up loads.
 */
final class Service {
    static final String CDS_TRAINING = "--cds-training";

    private Service() {
    }

    static int run(String[] args) throws Exception {
        boolean training = args.length > 0 && args[0].equals(CDS_TRAINING);
        if (training) {
            args = Arrays.copyOfRange(args, 1, args.length);
            StartupChecks.trainingRun();
        }
        Path home = StartupChecks.home();
        try {
            // Before the first logger exists: log4j2.xml reads the choice once.
            LogFormat.select(home.resolve("config/application.properties"), null);
            Main main = new Main();
            main.configure().addConfiguration(LifeguardConfiguration.class);
            main.setPropertyPlaceholderLocations("file:" + home.resolve("config/application.properties"));
            main.addMainListener(new StartupListener(home, training ? main : null));
            return main.run(args);
        } catch (RuntimeException e) {
            String mistake = StartupChecks.explain(e);
            if (mistake == null) {
                throw e;
            }
            System.err.println("lifeguard: " + mistake);
            return 2;
        }
    }
}
