package dev.lifeguard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * config/application.properties and the README's settings table say what {@link Settings}
 * declares, setting by setting: the name, its environment variable, the default and the
 * description. Every mismatch is listed with the setting's name and what the declaration says.
 */
class ConfigurationDocsTest {
    private static final Path PROPERTIES = Path.of("config/application.properties");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??(lifeguard\\.[a-z0-9.-]+)}}");

    /** A {@code lifeguard.*} line of the properties file: its value and the comment lines right above it, joined. */
    private record Written(String value, String comment) {
    }

    @Test
    void applicationPropertiesSetsEveryDeclaredSettingToItsDefaultUnderItsDescription() throws IOException {
        Map<String, Written> written = lifeguardProperties();
        List<String> wrong = new ArrayList<>();
        for (Setting<?> setting : Settings.ALL) {
            Written line = written.remove(setting.name());
            if (line == null) {
                wrong.add(setting.name() + ": declared in Settings, missing from " + PROPERTIES);
                continue;
            }
            if (!line.value().equals(setting.defaultValue())) {
                wrong.add(setting.name() + ": " + PROPERTIES + " sets '" + line.value() + "', Settings declares the default '"
                        + setting.defaultValue() + "'");
            }
            if (!line.comment().equals(setting.plainDescription())) {
                wrong.add(setting.name() + ": the comment above it should read\n    " + setting.plainDescription()
                        + "\n  not\n    " + line.comment());
            }
        }
        written.keySet().forEach(name -> wrong.add(name + ": set in " + PROPERTIES + " but not declared in Settings"));
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    @Test
    void theReadmeTableHasOneRowPerDeclaredSettingAsDeclared() throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        Pattern row = Pattern.compile("^\\| `(lifeguard\\.[^`]+)` \\|.*");
        for (String line : configurationSection()) {
            Matcher m = row.matcher(line);
            if (m.matches()) {
                rows.put(m.group(1), line);
            }
        }
        List<String> wrong = new ArrayList<>();
        for (Setting<?> setting : Settings.ALL) {
            String line = rows.remove(setting.name());
            if (line == null) {
                wrong.add(setting.name() + ": no row in the README's settings table; it should be\n    " + setting.readmeRow());
            } else if (!line.equals(setting.readmeRow())) {
                wrong.add(setting.name() + ": the README's row should be\n    " + setting.readmeRow() + "\n  not\n    " + line);
            }
        }
        rows.keySet().forEach(name -> wrong.add(name + ": a row in the README's settings table, but not declared in Settings"));
        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
    }

    /** A route or a Camel setting that read a lifeguard.* property of its own would bypass the declarations. */
    @Test
    void placeholdersInRoutesAndCamelSettingsNameDeclaredSettings() throws IOException {
        Set<String> declared = Settings.ALL.stream().map(Setting::name).collect(Collectors.toSet());
        Set<String> undeclared = new TreeSet<>();
        List<Path> files = new ArrayList<>(List.of(PROPERTIES));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            routes.filter(f -> f.toString().endsWith(".yaml")).forEach(files::add);
        }
        int seen = 0;
        for (Path file : files) {
            Matcher m = PLACEHOLDER.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                seen++;
                if (!declared.contains(m.group(1))) {
                    undeclared.add(m.group(1) + " in " + file);
                }
            }
        }
        assertTrue(seen >= 5, "the routes read their settings as {{lifeguard.…}} placeholders: found " + seen);
        assertTrue(undeclared.isEmpty(), () -> "placeholders for settings Settings does not declare: " + undeclared);
    }

    private static Map<String, Written> lifeguardProperties() throws IOException {
        List<String> lines = Files.readAllLines(PROPERTIES, StandardCharsets.UTF_8);
        Map<String, Written> written = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("lifeguard.")) {
                continue;
            }
            List<String> comment = new ArrayList<>();
            for (int j = i - 1; j >= 0 && lines.get(j).startsWith("#"); j--) {
                comment.add(0, lines.get(j).substring(1).strip());
            }
            int equals = line.indexOf('=');
            written.put(line.substring(0, equals).strip(), new Written(line.substring(equals + 1).strip(), String.join(" ", comment)));
        }
        return written;
    }

    /** The README's lines from "## Configuration" to the next heading. */
    private static List<String> configurationSection() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int start = lines.indexOf("## Configuration");
        assertTrue(start >= 0, "README.md has no '## Configuration' section");
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).startsWith("#")) {
            end++;
        }
        return lines.subList(start, end);
    }
}
