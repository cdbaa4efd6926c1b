package dev.lifeguard.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A template (deploy/lifeguard.yaml, deploy/member.yaml) as CloudFormation builds it from one
 * set of parameter values: the conditions evaluated, each resource kept only when its condition
 * holds, each {@code Fn::If} replaced by its branch, {@code AWS::NoValue} dropped (from a list,
 * the item; from a mapping, the key) and each {@code Ref} to a parameter replaced by its value;
 * {@code Fn::Join}, {@code Fn::Sub}'s long form (its own variables) and {@code Fn::Split} are
 * worked out when their arguments are known. Refs to resources and pseudo parameters,
 * {@code Fn::GetAtt} and {@code Fn::Sub}'s references to them stay as they are: they are only
 * known in a stack.
 */
final class ResolvedTemplate {
    /** Stands for AWS::NoValue while a value is being resolved; never returned. */
    private static final Object NO_VALUE = new Object();

    private final DeployTemplate template;
    private final Map<String, Object> parameters = new HashMap<>();
    private final Map<String, Boolean> conditions = new HashMap<>();

    /** The template with {@code given} parameter values and every other parameter at its default. */
    ResolvedTemplate(DeployTemplate template, Map<String, String> given) {
        this.template = template;
        DeployTemplate.map(template.root.get("Parameters")).forEach((name, declaration) -> {
            Map<String, Object> parameter = DeployTemplate.map(declaration);
            Object value = given.containsKey(name) ? given.get(name) : parameter.get("Default");
            if (value != null && String.valueOf(parameter.get("Type")).startsWith("CommaDelimitedList")) {
                value = List.of(String.valueOf(value).split(",", -1));
            }
            parameters.put(name, value);
        });
        for (String name : given.keySet()) {
            if (!parameters.containsKey(name)) {
                throw new AssertionError("the template has no parameter " + name);
            }
        }
        DeployTemplate.map(template.root.get("Conditions")).keySet().forEach(this::holds);
    }

    boolean holds(String condition) {
        Boolean known = conditions.get(condition);
        if (known == null) {
            Object expression = DeployTemplate.map(template.root.get("Conditions")).get(condition);
            if (expression == null) {
                throw new AssertionError("the template has no condition " + condition);
            }
            known = truth(expression);
            conditions.put(condition, known);
        }
        return known;
    }

    /** Whether the stack has this resource (its condition holds, or it has none). */
    boolean has(String logicalId) {
        Object condition = template.resource(logicalId).get("Condition");
        return condition == null || holds((String) condition);
    }

    /** A resource's properties as the stack gets them; fails when the stack has no such resource. */
    Map<String, Object> properties(String logicalId) {
        if (!has(logicalId)) {
            throw new AssertionError("the stack has no " + logicalId + " with these parameters");
        }
        return DeployTemplate.map(resolve(template.properties(logicalId)));
    }

    private boolean truth(Object expression) {
        Map<String, Object> function = DeployTemplate.map(expression);
        String name = function.keySet().iterator().next();
        List<Object> arguments = DeployTemplate.list(function.get(name));
        return switch (name) {
            case "Condition" -> holds((String) arguments.get(0));
            case "Fn::Not" -> !truth(arguments.get(0));
            case "Fn::And" -> arguments.stream().allMatch(this::truth);
            case "Fn::Or" -> arguments.stream().anyMatch(this::truth);
            case "Fn::Equals" -> String.valueOf(resolve(arguments.get(0))).equals(String.valueOf(resolve(arguments.get(1))));
            default -> throw new AssertionError("not a condition function: " + name);
        };
    }

    private Object resolve(Object value) {
        if (value instanceof Map<?, ?> map && map.size() == 1) {
            if (map.containsKey("Fn::If")) {
                List<Object> branches = DeployTemplate.list(map.get("Fn::If"));
                return resolve(holds((String) branches.get(0)) ? branches.get(1) : branches.get(2));
            }
            if ("AWS::NoValue".equals(map.get("Ref"))) {
                return NO_VALUE;
            }
            if (map.get("Ref") instanceof String name && parameters.containsKey(name)) {
                return parameters.get(name);
            }
            if (map.containsKey("Fn::Join")) {
                List<Object> arguments = DeployTemplate.list(map.get("Fn::Join"));
                List<String> parts = new ArrayList<>();
                DeployTemplate.list(resolve(arguments.get(1))).forEach(part -> parts.add(String.valueOf(part)));
                return String.join((String) arguments.get(0), parts);
            }
            if (map.get("Fn::Sub") instanceof List<?> arguments) {
                return substituted((String) arguments.get(0), DeployTemplate.map(resolve(arguments.get(1))));
            }
            if (map.containsKey("Fn::Split")) {
                List<Object> arguments = DeployTemplate.list(map.get("Fn::Split"));
                Object source = resolve(arguments.get(1));
                if (source instanceof String text) {
                    return new ArrayList<Object>(List.of(text.split(Pattern.quote((String) arguments.get(0)), -1)));
                }
                return Map.of("Fn::Split", List.of(arguments.get(0), source));
            }
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, item) -> {
                Object resolved = resolve(item);
                if (resolved != NO_VALUE) {
                    out.put((String) key, resolved);
                }
            });
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                Object resolved = resolve(item);
                if (resolved != NO_VALUE) {
                    out.add(resolved);
                }
            }
            return out;
        }
        return value;
    }

    /**
     * Fn::Sub's long form with its variables filled in: a string when nothing else is left,
     * otherwise the short form still naming what only the stack knows (${AWS::AccountId}, say).
     */
    private static Object substituted(String text, Map<String, Object> variables) {
        String out = text;
        for (Map.Entry<String, Object> variable : variables.entrySet()) {
            out = out.replace("${" + variable.getKey() + "}", String.valueOf(variable.getValue()));
        }
        return out.contains("${") ? Map.of("Fn::Sub", out) : out;
    }
}
