package dev.lifeguard.observe;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Lifeguard's version as the build wrote it into the jar; null when run from classes (tests, local mode). */
final class Version {
    private Version() {
    }

    static String of() {
        try (InputStream in = Version.class.getResourceAsStream("/META-INF/maven/dev.lifeguard/lifeguard/pom.properties")) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                return properties.getProperty("version");
            }
        } catch (IOException e) {
            // fall back to the manifest
        }
        return Version.class.getPackage().getImplementationVersion();
    }
}
