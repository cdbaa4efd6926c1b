package dev.lifeguard.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instructions of a Dockerfile, read as Docker reads them: comments dropped, continued lines
 * joined, one instruction per entry, grouped by stage. Only what the tests look at is modelled.
 */
final class Dockerfile {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Instruction(String keyword, String arguments) {
        /** Flags before the arguments proper ({@code --from=build}), by name. */
        Map<String, String> flags() {
            Map<String, String> flags = new LinkedHashMap<>();
            for (String word : words()) {
                if (!word.startsWith("--")) {
                    break;
                }
                int eq = word.indexOf('=');
                flags.put(word.substring(2, eq < 0 ? word.length() : eq), eq < 0 ? "" : word.substring(eq + 1));
            }
            return flags;
        }

        /** The arguments without the leading flags, split on white space. */
        List<String> operands() {
            return words().stream().dropWhile(w -> w.startsWith("--")).toList();
        }

        List<String> words() {
            return Arrays.asList(arguments.trim().split("\\s+"));
        }

        /** The exec (JSON array) form of ENTRYPOINT, CMD or HEALTHCHECK's CMD. */
        List<String> execForm(String after) throws IOException {
            String json = arguments.substring(arguments.indexOf(after) + after.length()).trim();
            if (!json.startsWith("[")) {
                throw new IllegalStateException(keyword + " is not in exec form: " + arguments);
            }
            return List.of(JSON.readValue(json, String[].class));
        }
    }

    record Stage(String image, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Instruction last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }
    }

    final List<Stage> stages = new ArrayList<>();

    static Dockerfile read(Path file) throws IOException {
        Dockerfile d = new Dockerfile();
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            if (text.isEmpty()) {
                continue;
            }
            int space = text.indexOf(' ');
            String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
            String arguments = space < 0 ? "" : text.substring(space + 1).strip();
            if (keyword.equals("FROM")) {
                String[] w = arguments.split("\\s+");
                d.stages.add(new Stage(w[0], w.length == 3 && w[1].equalsIgnoreCase("AS") ? w[2] : null, new ArrayList<>()));
            } else {
                d.stages.get(d.stages.size() - 1).instructions().add(new Instruction(keyword, arguments));
            }
        }
        return d;
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst().orElseThrow();
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }
}
