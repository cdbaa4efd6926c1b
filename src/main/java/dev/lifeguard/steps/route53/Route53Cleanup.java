package dev.lifeguard.steps.route53;

import dev.lifeguard.steps.InstanceFacts;
import dev.lifeguard.steps.PermanentStepException;
import dev.lifeguard.steps.Step;
import dev.lifeguard.steps.StepConfig;
import dev.lifeguard.steps.StepOutcome;
import dev.lifeguard.event.Kind;
import dev.lifeguard.steps.StepRequest;
import dev.lifeguard.steps.Templates;
import dev.lifeguard.steps.ToolValues;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.lifeguard.accounts.PerAccount;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsRequest;
import software.amazon.awssdk.services.route53.model.ListResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * Deletes a terminated instance's DNS records (seed 000, "Lambda-Mop"): records named after it
 * by the profile's {@code names} templates, and, with {@code by-ip}, records whose value is one
 * of its addresses or DNS names.
 *
 * <p>Route53 deletes only a record set given exactly as it stands, so every change is built from
 * the record set as listed, never reconstructed from what we expect. A record set shared with
 * other instances (several values, one of them ours) is rewritten without our value instead of
 * being deleted, so that cleaning up one instance never takes its neighbours out of DNS.
 */
public final class Route53Cleanup implements Step {
    private static final Set<RRType> DEFAULT_TYPES = EnumSet.of(RRType.A, RRType.AAAA, RRType.CNAME);
    /** The zone's own delegation records: Route53 refuses to delete them, and nobody should try. */
    private static final Set<RRType> NEVER = EnumSet.of(RRType.NS, RRType.SOA);
    /** Entries named in an outcome detail; the record is a summary, not a change log. */
    private static final int MAX_LISTED = 8;

    private final PerAccount<Route53Client> route53;
    private final Integer pageSize;

    /** @param route53 the zones are those of the event's own account */
    public Route53Cleanup(PerAccount<Route53Client> route53) {
        this(route53, null);
    }

    /** @param pageSize records per ListResourceRecordSets page; null for Route53's default (tests use 1 to prove paging) */
    Route53Cleanup(PerAccount<Route53Client> route53, Integer pageSize) {
        this.route53 = route53;
        this.pageSize = pageSize;
    }

    @Override
    public String type() {
        return "route53-cleanup";
    }

    @Override
    public java.util.Set<String> settings() {
        return java.util.Set.of("zones", "names", "by-ip", "types");
    }

    @Override
    public StepOutcome run(StepRequest request) {
        // Everything taken from the profile and the event is validated before the first call, so
        // a bad template or zone id fails the step without touching DNS.
        String step = request.config().stepName();
        List<String> zones = zones(request.config());
        Target target = Target.of(request);
        if (target.isEmpty()) {
            // Not "already done": without names or addresses we cannot tell, so say so.
            return StepOutcome.skipped("nothing to match: no names configured and no address known for "
                    + (request.event().instanceId() != null ? request.event().instanceId() : "the instance"));
        }

        // Route53 is global: the zones are those of the event's account, whatever its region.
        Route53Client route53 = this.route53.in(request.event().where().accountOnly());
        List<String> deleted = new ArrayList<>();
        List<String> reduced = new ArrayList<>();
        for (String zone : zones) {
            // Listing a large zone takes a while: keep a lifecycle hook alive between zones.
            request.heartbeat().beat();
            List<Change> changes = plan(route53, step, zone, target);
            if (changes.isEmpty()) {
                continue;
            }
            for (Change change : changes) {
                (change.action() == ChangeAction.DELETE ? deleted : reduced).add(zone + " " + describe(change));
            }
            if (!request.dryRun()) {
                // One batch per zone: Route53 applies a batch all or nothing, so a failure leaves
                // the zone as it was and the redelivered event starts again from a clean state.
                DnsNames.call(step, "the change batch for zone " + zone, () -> route53.changeResourceRecordSets(r -> r
                        .hostedZoneId(zone).changeBatch(b -> b.comment("lifeguard route53-cleanup").changes(changes))));
            }
        }

        if (deleted.isEmpty() && reduced.isEmpty()) {
            return request.dryRun()
                    ? StepOutcome.skipped("would delete: nothing, no matching records in " + String.join(", ", zones))
                    : StepOutcome.alreadyDone("no matching records in " + String.join(", ", zones));
        }
        StringBuilder detail = new StringBuilder();
        if (!deleted.isEmpty()) {
            detail.append(request.dryRun() ? "would delete: " : "deleted: ").append(list(deleted));
        }
        if (!reduced.isEmpty()) {
            if (!detail.isEmpty()) {
                detail.append("; ");
            }
            detail.append(request.dryRun() ? "would remove the instance's values from (upsert): " : "upserted without the instance's values: ")
                    .append(list(reduced));
        }
        return request.dryRun() ? StepOutcome.skipped(detail.toString()) : StepOutcome.succeeded(detail.toString());
    }

    /** The changes that remove the target's records from one zone, in listing order. */
    private List<Change> plan(Route53Client route53, String step, String zone, Target target) {
        List<Change> changes = new ArrayList<>();
        ListResourceRecordSetsRequest.Builder page = ListResourceRecordSetsRequest.builder().hostedZoneId(zone);
        if (pageSize != null) {
            page.maxItems(pageSize.toString());
        }
        while (true) {
            ListResourceRecordSetsRequest request = page.build();
            ListResourceRecordSetsResponse response = DnsNames.call(step, "listing zone " + zone,
                    () -> route53.listResourceRecordSets(request));
            for (ResourceRecordSet set : response.resourceRecordSets()) {
                Change change = target.changeFor(set);
                if (change != null) {
                    changes.add(change);
                }
            }
            if (!Boolean.TRUE.equals(response.isTruncated())) {
                return changes;
            }
            // Paged by hand rather than with the SDK paginator, which asks again forever when a
            // listing does not advance (moto 5.2.1 omits NextRecordIdentifier inside a weighted
            // set). A stuck listing fails the step instead of hanging the consumer.
            if (Objects.equals(response.nextRecordName(), request.startRecordName())
                    && Objects.equals(response.nextRecordTypeAsString(), request.startRecordTypeAsString())
                    && Objects.equals(response.nextRecordIdentifier(), request.startRecordIdentifier())) {
                throw new IllegalStateException("listing zone " + zone + " does not advance past " + response.nextRecordName()
                        + " " + response.nextRecordTypeAsString() + "; records after it were not examined");
            }
            page.startRecordName(response.nextRecordName())
                    .startRecordType(response.nextRecordTypeAsString())
                    .startRecordIdentifier(response.nextRecordIdentifier());
        }
    }

    private static List<String> zones(StepConfig config) {
        List<String> zones = config.strings("zones").stream().map(z -> DnsNames.zoneId(config.stepName(), z)).distinct().toList();
        if (zones.isEmpty()) {
            throw new PermanentStepException(config.stepName() + ": 'zones' is required (hosted zone ids)");
        }
        return zones;
    }

    private static String describe(Change change) {
        ResourceRecordSet set = change.resourceRecordSet();
        String name = set.name() + " " + set.typeAsString()
                + (set.setIdentifier() == null ? "" : " [" + set.setIdentifier() + "]");
        if (change.action() == ChangeAction.DELETE) {
            return name;
        }
        return name + " (kept " + set.resourceRecords().stream().map(ResourceRecord::value).collect(Collectors.joining(",")) + ")";
    }

    private static String list(List<String> entries) {
        String shown = String.join(", ", entries.subList(0, Math.min(entries.size(), MAX_LISTED)));
        return entries.size() > MAX_LISTED ? shown + " and " + (entries.size() - MAX_LISTED) + " more" : shown;
    }

    /** What identifies the instance's records: its names, and its addresses when by-ip is on. */
    private record Target(Set<RRType> types, Set<String> names, Set<String> ipv4, Set<String> ipv6, Set<String> hostNames) {

        static Target of(StepRequest request) {
            StepConfig config = request.config();
            Set<String> names = new LinkedHashSet<>();
            for (String template : config.strings("names")) {
                String rendered;
                try {
                    rendered = request.render(template);
                } catch (Templates.MissingValueException e) {
                    // A cleanup request naming only a host or IP has no instance id: its
                    // records are found by address instead. For any other event a name that
                    // cannot be rendered is a profile mistake, and fails the step.
                    if (request.event().kind() != Kind.CLEANUP_REQUEST) {
                        throw e;
                    }
                    continue;
                }
                names.add(DnsNames.hostName(config.stepName(), "record name", rendered));
            }
            Set<String> ipv4 = new LinkedHashSet<>();
            Set<String> ipv6 = new LinkedHashSet<>();
            Set<String> hostNames = new LinkedHashSet<>();
            if (config.bool("by-ip", true)) {
                InstanceFacts facts = request.facts();
                List<String> addresses = facts == null
                        ? Stream.of(request.event().ipAddress()).toList()
                        : Stream.of(facts.privateIp(), facts.publicIp(), request.event().ipAddress()).toList();
                for (String address : addresses) {
                    if (DnsNames.isIpv4(address)) {
                        ipv4.add(address);
                    } else if (DnsNames.ipv6(address) != null) {
                        ipv6.add(DnsNames.ipv6(address));
                    }
                }
                if (facts != null) {
                    // EC2 returns "" rather than null for an instance without a public DNS name.
                    Stream.of(facts.privateDns(), facts.publicDns())
                            .filter(dns -> dns != null && !dns.isEmpty())
                            .forEach(dns -> hostNames.add(DnsNames.hostName(config.stepName(), "the instance's DNS name", dns)));
                }
            }
            return new Target(types(config), names, ipv4, ipv6, hostNames);
        }

        private static Set<RRType> types(StepConfig config) {
            List<String> configured = config.strings("types");
            if (configured.isEmpty()) {
                return DEFAULT_TYPES;
            }
            Set<RRType> types = EnumSet.noneOf(RRType.class);
            for (String value : configured) {
                RRType type = RRType.fromValue(value.strip().toUpperCase(java.util.Locale.ROOT));
                if (type == null || type == RRType.UNKNOWN_TO_SDK_VERSION || NEVER.contains(type)) {
                    throw ToolValues.unsafe(config.stepName(), "record type", value, "a type this step may delete",
                            "a record type other than NS and SOA");
                }
                types.add(type);
            }
            return types;
        }

        boolean isEmpty() {
            return names.isEmpty() && ipv4.isEmpty() && ipv6.isEmpty() && hostNames.isEmpty();
        }

        /** A DELETE of the whole set, an UPSERT without the instance's values, or null. */
        Change changeFor(ResourceRecordSet set) {
            if (!types.contains(set.type())) {
                return null;
            }
            if (names.contains(DnsNames.canonical(set.name()))) {
                // The set as listed, every field included: that is what Route53 matches a DELETE on.
                return Change.builder().action(ChangeAction.DELETE).resourceRecordSet(set).build();
            }
            // Alias records point at AWS resources, never at an instance address.
            if (!set.hasResourceRecords() || set.resourceRecords().isEmpty()) {
                return null;
            }
            List<ResourceRecord> kept = set.resourceRecords().stream().filter(r -> !isOurs(set.type(), r.value())).toList();
            if (kept.size() == set.resourceRecords().size()) {
                return null;
            }
            if (kept.isEmpty()) {
                return Change.builder().action(ChangeAction.DELETE).resourceRecordSet(set).build();
            }
            // Shared with other instances: keep the set, routing policy and all, minus our values.
            return Change.builder().action(ChangeAction.UPSERT)
                    .resourceRecordSet(set.toBuilder().resourceRecords(kept).build()).build();
        }

        private boolean isOurs(RRType type, String value) {
            return switch (type) {
                case A -> ipv4.contains(value);
                case AAAA -> ipv6.contains(DnsNames.ipv6(value));
                case CNAME -> hostNames.contains(DnsNames.canonical(value));
                default -> false;
            };
        }
    }
}
