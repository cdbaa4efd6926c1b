package dev.lifeguard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The README's settings table and config/application.properties must not drift apart. */
class ConfigurationDocsTest {

    @Test
    void everyLifeguardSettingIsInTheReadmeWithItsEnvironmentVariable() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"), StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        List<String> settings = properties.stringPropertyNames().stream().filter(k -> k.startsWith("lifeguard.")).sorted().toList();
        assertTrue(settings.size() >= 10, "application.properties should define the lifeguard.* settings");
        for (String setting : settings) {
            String env = setting.toUpperCase().replace('.', '_').replace('-', '_');
            assertTrue(readme.contains("| `" + setting + "` | `" + env + "` |"),
                    () -> "README's configuration table lacks a row for " + setting + " / " + env);
        }
    }

    @Test
    void everySettingIsDocumentedWhereItIsSet() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("config/application.properties"), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("lifeguard.")) {
                String previous = lines.get(i - 1);
                assertTrue(previous.startsWith("#"), "no comment above " + line);
            }
        }
    }
}
