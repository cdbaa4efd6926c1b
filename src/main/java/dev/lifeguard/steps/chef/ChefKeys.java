package dev.lifeguard.steps.chef;

import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.ToolValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParameterRequest;

/**
 * Where the Chef API client's private key comes from, as a profile names it (never the key
 * itself): {@code file:/path/key.pem}, {@code env:NAME}, {@code ssm:/parameter/name} (a
 * SecureString, read with decryption) or {@code secretsmanager:<secret id or ARN>}. The key is
 * read when a step runs, so a rotated key is used at once; it is never logged, recorded or
 * quoted in an error.
 */
public class ChefKeys {
    static final String RULE = "file:<absolute path>, env:<variable>, ssm:<parameter name or ARN> or"
            + " secretsmanager:<secret id or ARN>";
    private static final Pattern FILE = Pattern.compile("/[A-Za-z0-9_./-]{1,1023}");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");
    /** A parameter name (letters, digits, '.', '-', '_', '/'), or its ARN. */
    private static final Pattern SSM = Pattern.compile("(?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\\d{12}:parameter)?/?[A-Za-z0-9_./-]{1,1011}");
    /** A secret's name (letters, digits, '/_+=.@-') or ARN. */
    private static final Pattern SECRET = Pattern.compile("(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}");

    private final Supplier<SsmClient> ssm;
    private final Supplier<SecretsManagerClient> secrets;
    private final Function<String, String> env;

    public ChefKeys(Supplier<SsmClient> ssm, Supplier<SecretsManagerClient> secrets, Function<String, String> env) {
        this.ssm = ssm;
        this.secrets = secrets;
        this.env = env;
    }

    /** Keys from files and the environment only: for {@code plan} and tests, which call no AWS. */
    public static ChefKeys withoutAws() {
        Supplier<SsmClient> noSsm = () -> {
            throw new PermanentStepException("no SSM client here to read the Chef key");
        };
        Supplier<SecretsManagerClient> noSecrets = () -> {
            throw new PermanentStepException("no Secrets Manager client here to read the Chef key");
        };
        return new ChefKeys(noSsm, noSecrets, System::getenv);
    }

    /**
     * Checks a {@code key} setting without reading the key.
     *
     * @throws PermanentStepException naming the rule; the value is quoted only once it is known
     *                                to be a reference, so a key pasted into a profile is never repeated
     */
    public static String check(String step, String source) {
        int colon = source == null ? -1 : source.indexOf(':');
        String scheme = colon < 0 ? "" : source.substring(0, colon);
        String ref = colon < 0 ? "" : source.substring(colon + 1);
        Pattern pattern = switch (scheme) {
            case "file" -> FILE;
            case "env" -> ENV;
            case "ssm" -> SSM;
            case "secretsmanager" -> SECRET;
            default -> null;
        };
        if (pattern == null) {
            throw new PermanentStepException(step + ": key must say where the Chef client key comes from: " + RULE
                    + " (never the key itself in a profile)");
        }
        ToolValues.require(step, "key source", source, Pattern.compile(Pattern.quote(scheme + ":") + pattern.pattern()),
                "a key source", RULE + "; " + scheme + ": " + (switch (scheme) {
                    case "file" -> "an absolute path of letters, digits, '.', '_', '/' and '-'";
                    case "env" -> "an environment variable name";
                    case "ssm" -> "a parameter name of letters, digits, '.', '_', '-' and '/', or its ARN";
                    default -> "a secret name of letters, digits and '/_+=.@-', or its ARN";
                }));
        if (scheme.equals("file") && (ref.contains("/../") || ref.endsWith("/.."))) {
            throw ToolValues.unsafe(step, "key source", source, "a key source", "a file path without '..'");
        }
        return source;
    }

    /** Reads and parses the key named by a checked source. */
    public PrivateKey read(String step, String source) {
        check(step, source);
        String ref = source.substring(source.indexOf(':') + 1);
        String pem;
        if (source.startsWith("file:")) {
            try {
                pem = Files.readString(Path.of(ref));
            } catch (NoSuchFileException e) {
                throw new PermanentStepException(step + ": the Chef key file " + ref + " does not exist");
            } catch (IOException e) {
                throw new IllegalStateException(step + ": the Chef key file " + ref + " cannot be read: " + e.getClass().getSimpleName());
            }
        } else if (source.startsWith("env:")) {
            pem = env.apply(ref);
            if (pem == null || pem.isBlank()) {
                throw new PermanentStepException(step + ": the environment variable " + ref + " that should hold the Chef key is not set");
            }
        } else if (source.startsWith("ssm:")) {
            pem = aws(step, source, () -> ssm.get().getParameter(GetParameterRequest.builder().name(ref).withDecryption(true).build())
                    .parameter().value());
        } else {
            pem = aws(step, source, () -> secrets.get().getSecretValue(GetSecretValueRequest.builder().secretId(ref).build())
                    .secretString());
        }
        try {
            return PemKeys.rsaPrivateKey(pem, source);
        } catch (IllegalArgumentException e) {
            throw new PermanentStepException(step + ": " + e.getMessage());
        }
    }

    /** A missing parameter or secret, or a denial, is permanent; an unreachable service is not. */
    private static String aws(String step, String source, Supplier<String> call) {
        try {
            return call.get();
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (e.statusCode() >= 500 || e.isThrottlingException()) {
                throw new IllegalStateException(step + ": reading the Chef key from " + source + " failed: " + code + " (HTTP " + e.statusCode() + ")");
            }
            throw new PermanentStepException(step + ": reading the Chef key from " + source + " was refused: " + code
                    + " (HTTP " + e.statusCode() + ")");
        } catch (SdkClientException e) {
            throw new IllegalStateException(step + ": reading the Chef key from " + source + " failed: " + e.getMessage());
        }
    }
}
