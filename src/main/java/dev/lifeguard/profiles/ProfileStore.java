package dev.lifeguard.profiles;

import dev.lifeguard.metrics.LifeguardMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The profiles in force. The file is checked for changes at most every few seconds, by the
 * engine's timer and when a profile is needed; a changed file that fails to load is rejected with
 * its reason logged (and counted), and the previous profiles stay in force until it is fixed.
 */
public class ProfileStore {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileStore.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(2);

    private final Path file;
    private final ProfileLoader loader;
    private final Clock clock;
    private Profiles current;
    private FileTime loadedVersion;
    private FileTime rejectedVersion;
    private Instant nextCheck;
    private final LifeguardMetrics metrics;
    private volatile Loaded loaded;

    /**
     * The file in force: its path, a hash of the content loaded (the first 12 hex digits of its
     * SHA-256; null when it could not be read again), and when it was loaded.
     */
    public record Loaded(String file, String version, Instant at) {
    }

    /** Loads the file now: Lifeguard does not start with profiles it cannot read. */
    public ProfileStore(Path file, ProfileLoader loader, Clock clock) {
        this(file, loader, clock, LifeguardMetrics.none());
    }

    public ProfileStore(Path file, ProfileLoader loader, Clock clock, LifeguardMetrics metrics) {
        this.metrics = metrics;
        this.file = file;
        this.loader = loader;
        this.clock = clock;
        this.loadedVersion = modified();
        this.current = loader.load(file);
        this.loaded = new Loaded(file.toString(), contentHash(), clock.instant());
        this.nextCheck = clock.instant().plus(CHECK_EVERY);
        LOG.info("Profiles loaded from {}: {} group profile(s) and a default", file, current.groups().size());
    }

    public synchronized Profiles current() {
        if (clock.instant().isBefore(nextCheck)) {
            return current;
        }
        nextCheck = clock.instant().plus(CHECK_EVERY);
        FileTime version = modified();
        if (version == null || version.equals(loadedVersion) || version.equals(rejectedVersion)) {
            return current;
        }
        try {
            current = loader.load(file);
            loadedVersion = version;
            rejectedVersion = null;
            loaded = new Loaded(file.toString(), contentHash(), clock.instant());
            metrics.profilesEdited(true);
            LOG.info("Profiles reloaded from {}: {} group profile(s)", file, current.groups().size());
        } catch (RuntimeException e) {
            rejectedVersion = version;
            metrics.profilesEdited(false);
            LOG.error("Rejected the edit of {}: {}. The previous profiles stay in force until it is fixed.", file, e.getMessage());
        }
        return current;
    }

    /** Which profiles are in force, for the status page; reads nothing. */
    public Loaded loaded() {
        return loaded;
    }

    private String contentHash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (IOException | NoSuchAlgorithmException e) {
            return null;
        }
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }
}
