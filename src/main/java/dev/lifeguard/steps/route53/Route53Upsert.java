package dev.lifeguard.steps.route53;

import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.steps.StepRequest;
import java.util.List;
import java.util.Locale;
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

    private final Route53Client route53;

    public Route53Upsert(Route53Client route53) {
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
        String zone = DnsNames.zoneId(config.string("zone"));
        String name = DnsNames.hostName("step " + config.stepName() + ": 'record' rendered", request.render(config.string("record")));
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
        if (alreadyThere(zone, name, type, ttl, value)) {
            return StepOutcome.alreadyDone("already " + summary);
        }
        ResourceRecordSet set = ResourceRecordSet.builder().name(name).type(type).ttl(ttl)
                .resourceRecords(r -> r.value(value)).build();
        route53.changeResourceRecordSets(r -> r.hostedZoneId(zone).changeBatch(b -> b.comment("lifeguard route53-upsert")
                .changes(c -> c.action(ChangeAction.UPSERT).resourceRecordSet(set))));
        return StepOutcome.succeeded("upserted " + summary);
    }

    private boolean alreadyThere(String zone, String name, RRType type, long ttl, String value) {
        // Listing starts at (name, type), so the first set returned is ours if it exists.
        List<ResourceRecordSet> sets = route53.listResourceRecordSets(r -> r.hostedZoneId(zone)
                .startRecordName(name).startRecordType(type).maxItems("1")).resourceRecordSets();
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
            default -> throw new IllegalArgumentException("step " + config.stepName() + ": 'type' must be A or CNAME, not "
                    + DnsNames.quote(raw));
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
        throw new IllegalArgumentException("step " + config.stepName() + ": 'ttl' must be seconds between 0 and "
                + MAX_TTL + ", not " + DnsNames.quote(raw));
    }

    private static String value(StepConfig config, RRType type, String rendered) {
        if (type == RRType.A) {
            if (!DnsNames.isIpv4(rendered)) {
                throw new IllegalArgumentException("step " + config.stepName() + ": 'value' for an A record must be an IPv4 address, not "
                        + DnsNames.quote(rendered));
            }
            return rendered;
        }
        return DnsNames.hostName("step " + config.stepName() + ": 'value' for a CNAME", rendered);
    }

    private static String normalise(RRType type, String value) {
        return type == RRType.CNAME ? DnsNames.canonical(value) : value;
    }
}
