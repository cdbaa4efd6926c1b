package dev.lifeguard;

import dev.lifeguard.aws.PollingSqsClient;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * What Camel Main is told about Lifeguard before it configures and starts: where home is, whether
 * to serve health; and, in a class-archive training run, when to stop.
 */
final class StartupListener extends MainListenerSupport {
    private final Path home;
    private final Main training;

    /** @param training the main of a class-archive training run, stopped after its first poll; null otherwise */
    StartupListener(Path home, Main training) {
        this.home = home;
        this.training = training;
    }

    @Override
    public void beforeConfigure(BaseMainSupport configuring) {
        PropertiesComponent properties = configuring.getCamelContext().getPropertiesComponent();
        // Routes and relative paths in the settings (the profiles file) are found under home.
        properties.addOverrideProperty("lifeguard.home", home.toString());
        properties.addOverrideProperty("camel.main.routes-include-pattern", "file:" + home.resolve("routes") + "/*.camel.yaml");
        properties.addOverrideProperty("camel.main.routes-reload-directory", home.resolve("routes").toString());
        // Port 0 turns the health and metrics endpoint off (Camel would take any free port).
        // The override, not only the configuration object: application.properties' own
        // camel.management.enabled=true is applied after this and would start it again.
        if (Settings.healthPort(key -> properties.resolveProperty(key).orElse(null)) == 0) {
            properties.addOverrideProperty("camel.management.enabled", "false");
            configuring.configure().httpManagementServer().setEnabled(false);
        }
    }

    @Override
    public void beforeStart(BaseMainSupport starting) {
        LifeguardConfiguration.checkRoutes(starting.getCamelContext());
    }

    @Override
    public void afterStart(BaseMainSupport started) {
        if (training == null) {
            return;
        }
        PollingSqsClient polling = started.getCamelContext().getRegistry().lookupByNameAndType("sqsPollingClient", PollingSqsClient.class);
        try {
            if (!polling.awaitFirstPoll(Duration.ofSeconds(60))) {
                System.err.println("lifeguard: training run: no poll of the queue within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("lifeguard: training run done, stopping");
        training.completed();
    }
}
