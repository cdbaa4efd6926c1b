package dev.lifeguard.steps.route53;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.ToolValues;
import java.util.List;
import java.util.Locale;
import dev.lifeguard.accounts.PerAccount;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Points one DNS name at a launched instance: an A record to its address or a CNAME to its EC2
 * DNS name. UPSERT replaces whatever simple record held the name before (a previous instance's
 * address), which is what a name that follows "the current instance" wants.
 */
public final class Route53Upsert implements Step {
    private static final long MAX_TTL = 2_147_483_647L;

    private final PerAccount<Route53Client> route53;

    /** @param route53 the zone is one of the event's own account */
    public Route53Upsert(PerAccount<Route53Client> route53) {
        this.route53 = route53;
    }

    @Override
    public String type() {
        return "route53-upsert";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("zone", "record", "type", "ttl", "value");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        // Validate the whole record before any call: a bad template fails the step, not the zone.
        StepConfig config = request.config();
        String step = config.stepName();
        String zone = DnsNames.zoneId(step, config.string("zone"));
        String name = DnsNames.hostName(step, "record name", request.render(config.string("record")));
        RRType type = type(config);
        long ttl = ttl(config);
        String value = value(config, type, request.render(config.string("value", "{privateIp}")));
        String summary = name + " " + type + " " + value + " ttl " + ttl + " in " + zone;

        if (request.dryRun()) {
            return StepOutcome.skipped("would upsert " + summary);
        }
        request.heartbeat().beat();
        // Reading first lets a redelivered launch event report ALREADY_DONE instead of a change
        // it did not make; the UPSERT itself would be harmless either way.
        // Route53 is global: the zone is one of the event's account, whatever its region.
        Route53Client route53 = this.route53.in(request.event().where().accountOnly());
        if (alreadyThere(route53, step, zone, name, type, ttl, value)) {
            return StepOutcome.alreadyDone("already " + summary);
        }
        ResourceRecordSet set = ResourceRecordSet.builder().name(name).type(type).ttl(ttl)
                .resourceRecords(r -> r.value(value)).build();
        DnsNames.call(step, "the UPSERT of " + name + " in zone " + zone, () -> route53.changeResourceRecordSets(r -> r
                .hostedZoneId(zone).changeBatch(b -> b.comment("lifeguard route53-upsert")
                .changes(c -> c.action(ChangeAction.UPSERT).resourceRecordSet(set)))));
        return StepOutcome.succeeded("upserted " + summary);
    }

    private static boolean alreadyThere(Route53Client route53, String step, String zone, String name, RRType type, long ttl, String value) {
        // Listing starts at (name, type), so the first set returned is ours if it exists.
        List<ResourceRecordSet> sets = DnsNames.call(step, "listing zone " + zone, () -> route53.listResourceRecordSets(r -> r
                .hostedZoneId(zone).startRecordName(name).startRecordType(type).maxItems("1"))).resourceRecordSets();
        if (sets.isEmpty()) {
            return false;
        }
        ResourceRecordSet set = sets.get(0);
        return DnsNames.canonical(set.name()).equals(name) && set.type() == type && set.setIdentifier() == null
                && set.ttl() != null && set.ttl() == ttl
                && set.resourceRecords().size() == 1
                && normalise(type, set.resourceRecords().get(0).value()).equals(value);
    }

    private static RRType type(StepConfig config) {
        String raw = config.string("type", "A").strip().toUpperCase(Locale.ROOT);
        return switch (raw) {
            case "A" -> RRType.A;
            case "CNAME" -> RRType.CNAME;
            default -> throw ToolValues.unsafe(config.stepName(), "record type", raw, "a type this step writes", "A or CNAME");
        };
    }

    private static long ttl(StepConfig config) {
        String raw = config.string("ttl", "60");
        try {
            long ttl = Long.parseLong(raw.strip());
            if (ttl >= 0 && ttl <= MAX_TTL) {
                return ttl;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ToolValues.unsafe(config.stepName(), "ttl", raw, "a Route53 TTL", "whole seconds from 0 to " + MAX_TTL);
    }

    private static String value(StepConfig config, RRType type, String rendered) {
        if (type == RRType.A) {
            if (!DnsNames.isIpv4(rendered)) {
                throw ToolValues.unsafe(config.stepName(), "A record value", rendered, "an IPv4 address",
                        "four decimal numbers from 0 to 255, separated by dots");
            }
            return rendered;
        }
        return DnsNames.hostName(config.stepName(), "CNAME value", rendered);
    }

    private static String normalise(RRType type, String value) {
        return type == RRType.CNAME ? DnsNames.canonical(value) : value;
    }
}
