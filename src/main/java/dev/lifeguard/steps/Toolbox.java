package dev.lifeguard.steps;

import dev.lifeguard.aws.PerAccount;
import dev.lifeguard.steps.chef.ChefCleanup;
import dev.lifeguard.steps.chef.ChefKeys;
import dev.lifeguard.steps.ecs.EcsDrain;
import dev.lifeguard.steps.exec.CommandRunner;
import dev.lifeguard.steps.route53.Route53Cleanup;
import dev.lifeguard.steps.route53.Route53Upsert;
import dev.lifeguard.steps.salt.SaltAcceptKey;
import dev.lifeguard.steps.salt.SaltApi;
import dev.lifeguard.steps.salt.SaltDeleteKey;
import dev.lifeguard.steps.salt.SaltState;
import dev.lifeguard.steps.ssm.SsmCommand;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Every kind of step a profile may name, by its type: one list for the service and for {@code plan}. */
public final class Toolbox {
    private Toolbox() {
    }

    /** Without Secrets Manager and on the system clock: for {@code plan}, which runs nothing. */
    public static Map<String, Step> steps(CommandRunner commands, Route53Client route53, SsmClient ssm, PerAccount<EcsClient> ecs) {
        return steps(commands, route53, ssm, ecs, () -> {
            throw new PermanentStepException("no Secrets Manager client here");
        }, java.time.Clock.systemUTC());
    }

    public static Map<String, Step> steps(CommandRunner commands, Route53Client route53, SsmClient ssm, PerAccount<EcsClient> ecs,
                                          java.util.function.Supplier<SecretsManagerClient> secrets, java.time.Clock clock) {
        SaltApi saltApi = new SaltApi(new Secrets(ssm));
        return Stream.of(
                        new ChefCleanup(commands, new ChefKeys(() -> ssm, secrets, System::getenv), clock),
                        new SaltAcceptKey(commands, saltApi),
                        new SaltState(commands, saltApi),
                        new SaltDeleteKey(commands, saltApi),
                        new Route53Cleanup(route53),
                        new Route53Upsert(route53),
                        new SsmCommand(ssm),
                        new EcsDrain(ecs))
                .collect(Collectors.toMap(Step::type, step -> step));
    }
}
