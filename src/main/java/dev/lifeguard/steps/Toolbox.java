package dev.lifeguard.steps;

import dev.lifeguard.accounts.PerAccount;
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
    public static Map<String, Step> steps(CommandRunner commands, Route53Client route53, SsmClient ssm, EcsClient ecs) {
        return steps(commands, PerAccount.only(route53), PerAccount.only(ssm), PerAccount.only(ecs), () -> {
            throw new PermanentStepException("no Secrets Manager client here");
        }, java.time.Clock.systemUTC());
    }

    /**
     * @param route53 and {@code ssm}, {@code ecs}: the steps call them in the event's own account (and region);
     *                secrets (salt-api passwords, Chef keys) are read in this service's own
     */
    public static Map<String, Step> steps(CommandRunner commands, PerAccount<Route53Client> route53, PerAccount<SsmClient> ssm,
                                          PerAccount<EcsClient> ecs,
                                          java.util.function.Supplier<SecretsManagerClient> secrets, java.time.Clock clock) {
        SaltApi saltApi = new SaltApi(new Secrets(ssm.home()));
        return Stream.of(
                        new ChefCleanup(commands, new ChefKeys(ssm::home, secrets, System::getenv), clock),
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
