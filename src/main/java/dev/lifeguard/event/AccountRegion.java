package dev.lifeguard.event;

/**
 * The AWS account and region an event happened in, and so where the calls for it go: from
 * EventBridge's {@code account} and {@code region}, a hook's or notification's {@code AccountId},
 * or the SNS topic's ARN. Either part is null when the message does not say; such an event is
 * handled in the service's own account and region.
 */
public record AccountRegion(String account, String region) {
    public static final AccountRegion UNSAID = new AccountRegion(null, null);

    /** This place, with what it does not say taken from {@code home}. */
    public AccountRegion or(AccountRegion home) {
        return new AccountRegion(account != null ? account : home.account(), region != null ? region : home.region());
    }

    /** The account alone: for a global service (Route53), whose calls go to no region. */
    public AccountRegion accountOnly() {
        return new AccountRegion(account, null);
    }

    @Override
    public String toString() {
        return (account == null ? "?" : account) + "/" + (region == null ? "?" : region);
    }
}
