package dev.lifeguard.aws;

import java.time.Duration;
import java.util.function.Function;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Credentials in a member account: its role assumed with STS's AssumeRole and the external id its
 * trust policy requires. The SDK's provider keeps the session and assumes the role again before
 * it expires (from {@code prefetch} before on, and on the calling thread once within
 * {@code stale} of it), so one session serves every event of that account until then.
 */
public final class AssumedRoles {
    /** An hour: the most a role allows by default, and few AssumeRole calls. */
    public static final Duration SESSION = Duration.ofHours(1);
    public static final Duration PREFETCH = Duration.ofMinutes(5);
    public static final Duration STALE = Duration.ofMinutes(1);

    private AssumedRoles() {
    }

    /**
     * @param sessionName names this replica in the member account's CloudTrail; one session
     *                    serves many events, so it cannot name each
     */
    public static Function<String, AwsCredentialsProvider> with(StsClient sts, String externalId, String sessionName,
                                                                 Duration session, Duration prefetch, Duration stale) {
        return role -> StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(r -> r.roleArn(role).externalId(externalId).roleSessionName(sessionName)
                        .durationSeconds((int) session.toSeconds()))
                .prefetchTime(prefetch)
                .staleTime(stale)
                .build();
    }

    /**
     * A role session name from a worker id: what STS allows ({@code [\w+=,.@-]}, 2 to 64 characters),
     * {@code lifeguard-} first.
     */
    public static String sessionName(String worker) {
        String name = "lifeguard-" + worker.replaceAll("[^\\w+=,.@-]", "-");
        return name.length() > 64 ? name.substring(0, 64) : name;
    }
}
