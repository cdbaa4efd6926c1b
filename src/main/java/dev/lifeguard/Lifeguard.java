package dev.lifeguard;

import dev.lifeguard.aws.PollingSqsClient;
import java.time.Duration;
import java.util.Arrays;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

/**
 * Runs Lifeguard with routes from ./routes and settings from ./config (see config/application.properties).
 *
 * <p>{@code --cds-training} (first argument) is the run that records the class-data sharing archive
 * the container starts with ({@code container/make-class-archive}): the service starts as usual,
 * against endpoints nobody answers; the start-up calls to AWS fail and are let pass, and once the
 * first poll of the queue has failed it stops, so the archive holds what a real start-up loads.
 */
public final class Lifeguard {
    static final String CDS_TRAINING = "--cds-training";

    public static void main(String[] args) throws Exception {
        boolean training = args.length > 0 && args[0].equals(CDS_TRAINING);
        if (training) {
            args = Arrays.copyOfRange(args, 1, args.length);
            StartupChecks.trainingRun();
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

            @Override
            public void afterStart(BaseMainSupport started) {
                if (training) {
                    stopAfterFirstPoll(main);
                }
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

    private static void stopAfterFirstPoll(Main main) {
        PollingSqsClient polling = main.getCamelContext().getRegistry().lookupByNameAndType("sqsPollingClient", PollingSqsClient.class);
        try {
            if (!polling.awaitFirstPoll(Duration.ofSeconds(60))) {
                System.err.println("lifeguard: training run: no poll of the queue within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("lifeguard: training run done, stopping");
        main.completed();
    }
}
