package dev.lifeguard.steps;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;

/**
 * Reads a secret a profile names by reference, never in clear: {@code file:/run/secrets/salt-api}
 * (the file's content, without its trailing line break), {@code env:SALT_API_PASSWORD} (an
 * environment variable of the task), or {@code ssm:/lifeguard/salt-api} (an SSM Parameter Store
 * parameter, name or ARN, read with {@code GetParameter WithDecryption}, so a SecureString
 * arrives decrypted). The value is read when it is needed and not kept; no message here ever
 * holds it, only the reference.
 */
public class Secrets {
    private final SsmClient ssm;
    private final Function<String, String> environment;

    public Secrets(SsmClient ssm) {
        this(ssm, System::getenv);
    }

    /** With an environment of the caller's choosing (tests cannot set the process's own). */
    public Secrets(SsmClient ssm, Function<String, String> environment) {
        this.ssm = ssm;
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /**
     * @return the secret's value
     * @throws IllegalArgumentException when the reference is not {@code file:}, {@code env:} or
     *         {@code ssm:} (a value written in clear, say): a profile mistake
     * @throws PermanentStepException when the file, variable or parameter does not exist or is empty
     */
    public String read(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("no secret reference given: write file:PATH, env:NAME or ssm:PARAMETER");
        }
        int colon = reference.indexOf(':');
        String scheme = colon < 0 ? "" : reference.substring(0, colon);
        String name = colon < 0 ? "" : reference.substring(colon + 1);
        if (name.isEmpty() || !(scheme.equals("file") || scheme.equals("env") || scheme.equals("ssm"))) {
            // Never echo the value: it may be a password written in clear.
            throw new IllegalArgumentException("a secret is given as file:PATH, env:NAME or ssm:PARAMETER, never in clear"
                    + " (the value given does not start with one of them)");
        }
        String value = switch (scheme) {
            case "file" -> file(name);
            case "env" -> environment.apply(name);
            default -> parameter(name);
        };
        if (value == null || value.isEmpty()) {
            throw new PermanentStepException("secret " + reference + " is " + (value == null ? "not set" : "empty"));
        }
        return value;
    }

    private static String file(String path) {
        try {
            return stripLineBreak(Files.readString(Path.of(path), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PermanentStepException("secret file:" + path + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
    }

    private String parameter(String name) {
        if (ssm == null) {
            throw new PermanentStepException("secret ssm:" + name + " cannot be read: no SSM client here");
        }
        try {
            return ssm.getParameter(GetParameterRequest.builder().name(name).withDecryption(true).build()).parameter().value();
        } catch (ParameterNotFoundException e) {
            throw new PermanentStepException("secret ssm:" + name + " does not exist in SSM Parameter Store", e);
        }
    }

    private static String stripLineBreak(String value) {
        int end = value.length();
        while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
            end--;
        }
        return value.substring(0, end);
    }
}
