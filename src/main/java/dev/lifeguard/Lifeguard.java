package dev.lifeguard;

import dev.lifeguard.cli.Commands;
import dev.lifeguard.log.LogFormat;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.camel.main.Main;

/**
 * Runs Lifeguard with routes from routes/ and settings from config/ under LIFEGUARD_HOME (the
 * working directory by default); {@code history} and {@code plan} as the first argument run
 * that command instead (see {@link Commands}).
 *
 * <p>{@code --cds-training} (first argument) is the run that records the class-data sharing archive
 * the container starts with ({@code container/make-class-archive}): the service starts as usual,
 * against endpoints nobody answers; the start-up calls to AWS fail and are let pass, and once the
 * first poll of the queue has failed it stops, so the archive holds what a real start-up loads.
 */
public final class Lifeguard {
    static final String CDS_TRAINING = "--cds-training";

    public static void main(String[] args) throws Exception {
        if (Commands.handles(args)) {
            // history or plan: read, print, exit; no route starts, no queue is polled.
            System.exit(Commands.run(args));
        }
        boolean training = args.length > 0 && args[0].equals(CDS_TRAINING);
        if (training) {
            args = Arrays.copyOfRange(args, 1, args.length);
            StartupChecks.trainingRun();
        }
        Path home = StartupChecks.home();
        // Before the first logger exists: log4j2.xml reads the choice once.
        try {
            LogFormat.select(home.resolve("config/application.properties"), null);
        } catch (MisconfiguredException e) {
            System.err.println("lifeguard: " + e.getMessage());
            System.exit(2);
        }
        Main main = new Main();
        main.configure().addConfiguration(LifeguardConfiguration.class);
        main.setPropertyPlaceholderLocations("file:" + home.resolve("config/application.properties"));
        main.addMainListener(new StartupListener(home, training ? main : null));
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
