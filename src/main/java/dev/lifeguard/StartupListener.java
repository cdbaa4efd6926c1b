package dev.lifeguard;

import java.nio.file.Path;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/** What Camel Main is told about Lifeguard before it configures and starts: where home is, whether to serve health. */
final class StartupListener extends MainListenerSupport {
    private final Path home;

    StartupListener(Path home) {
        this.home = home;
    }

    @Override
    public void beforeConfigure(BaseMainSupport configuring) {
        PropertiesComponent properties = configuring.getCamelContext().getPropertiesComponent();
        // Routes and relative paths in the settings (the profiles file) are found under home.
        properties.addOverrideProperty("lifeguard.home", home.toString());
        properties.addOverrideProperty("camel.main.routes-include-pattern", "file:" + home.resolve("routes") + "/*.camel.yaml");
        properties.addOverrideProperty("camel.main.routes-reload-directory", home.resolve("routes").toString());
        // Port 0 turns the health and metrics endpoint off (Camel would take any free port).
        if (Settings.healthPort(key -> properties.resolveProperty(key).orElse(null)) == 0) {
            configuring.configure().httpManagementServer().setEnabled(false);
        }
    }

    @Override
    public void beforeStart(BaseMainSupport starting) {
        LifeguardConfiguration.checkRoutes(starting.getCamelContext());
    }
}
