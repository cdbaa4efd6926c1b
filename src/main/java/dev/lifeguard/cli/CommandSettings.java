package dev.lifeguard.cli;

import dev.lifeguard.Setting;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The service's settings as the commands read them, in the service's order: a Java system
 * property, else the environment variable named after it ({@code lifeguard.table} →
 * {@code LIFEGUARD_TABLE}), else {@code config/application.properties} when there is one.
 * AWS region, endpoints and credentials are the SDK's, read by the clients themselves.
 */
final class CommandSettings {
    private CommandSettings() {
    }

    static Function<String, String> of(Path propertiesFile, Map<String, String> environment) {
        Properties file = new Properties();
        if (Files.isReadable(propertiesFile)) {
            try (Reader reader = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return key -> {
            String value = System.getProperty(key);
            if (value == null) {
                value = environment.get(Setting.environmentVariable(key));
            }
            if (value == null) {
                value = file.getProperty(key);
            }
            return value == null || value.isBlank() ? null : value.trim();
        };
    }
}
