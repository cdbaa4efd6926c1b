package dev.lifeguard.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A CloudFormation template (deploy/lifeguard.yaml unless another is named) as plain maps and
 * lists, CloudFormation's short-form tags turned into their long forms ({@code !Ref X} into
 * {@code {Ref: X}}, {@code !Sub s} into {@code {Fn::Sub: s}}, {@code !GetAtt A.B} into
 * {@code {Fn::GetAtt: [A, B]}}), as CloudFormation reads it.
 */
final class DeployTemplate {
    static final Path FILE = Path.of("deploy/lifeguard.yaml");
    /** The member-account template (deploy/member.yaml). */
    static final Path MEMBER = Path.of("deploy/member.yaml");

    private static final Set<String> FUNCTIONS = Set.of("Sub", "GetAtt", "Join", "If", "Equals", "Or", "And", "Not",
            "Split", "Select", "FindInMap", "Base64", "ImportValue", "GetAZs", "Cidr");

    final Map<String, Object> root;

    private DeployTemplate(Map<String, Object> root) {
        this.root = root;
    }

    static DeployTemplate load() {
        return load(FILE);
    }

    static DeployTemplate load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DeployTemplate parse(String yaml) {
        return new DeployTemplate(map(new Yaml(new CloudFormationTags()).load(yaml)));
    }

    Map<String, Object> resources() {
        return map(root.get("Resources"));
    }

    Map<String, Object> resource(String logicalId) {
        Object resource = resources().get(logicalId);
        if (resource == null) {
            throw new AssertionError("the template has no resource " + logicalId);
        }
        return map(resource);
    }

    String type(String logicalId) {
        return (String) resource(logicalId).get("Type");
    }

    Map<String, Object> properties(String logicalId) {
        return map(resource(logicalId).getOrDefault("Properties", Map.of()));
    }

    /** Logical ids of every resource of a type. */
    List<String> ofType(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, resource) -> {
            if (type.equals(map(resource).get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    /**
     * The values a property can take: both branches of an {@code Fn::If} (AWS::NoValue dropped),
     * a list's items flattened, anything else as it is.
     */
    static List<Object> alternatives(Object value) {
        List<Object> out = new ArrayList<>();
        if (value instanceof Map<?, ?> map && map.containsKey("Fn::If")) {
            List<?> branches = (List<?>) map.get("Fn::If");
            out.addAll(alternatives(branches.get(1)));
            out.addAll(alternatives(branches.get(2)));
        } else if (value instanceof Map<?, ?> map && "AWS::NoValue".equals(map.get("Ref"))) {
            // nothing
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                out.addAll(alternatives(item));
            }
        } else {
            out.add(value);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        if (!(value instanceof Map)) {
            throw new AssertionError("expected a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        if (value instanceof List) {
            return (List<Object>) value;
        }
        return List.of(value);
    }

    /** SnakeYAML constructor that knows CloudFormation's tags. */
    private static final class CloudFormationTags extends SafeConstructor {
        CloudFormationTags() {
            super(new LoaderOptions());
            yamlConstructors.put(new Tag("!Ref"), new LongForm("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new LongForm("Condition"));
            for (String function : FUNCTIONS) {
                yamlConstructors.put(new Tag("!" + function), new LongForm("Fn::" + function));
            }
        }

        private final class LongForm extends AbstractConstruct {
            private final String key;

            LongForm(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    String text = constructScalar(scalar);
                    // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
                    value = key.equals("Fn::GetAtt") ? List.of(text.split("\\.", 2)) : text;
                } else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                Map<String, Object> longForm = new LinkedHashMap<>();
                longForm.put(key, value);
                return longForm;
            }
        }
    }
}
