package dev.lifeguard.steps.chef;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs a Chef Infra Server API request with the authentication protocol version 1.3: the
 * canonical request (method, path, body hash, sign version, timestamp, user id, server API
 * version, one per line) is signed with RSA PKCS#1 v1.5 over its SHA-256 digest, and the base64
 * signature is split into 60-character {@code X-Ops-Authorization-N} headers.
 */
public final class ChefSigner {
    public static final String SIGN = "algorithm=sha256;version=1.3";
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final int LINE = 60;

    private ChefSigner() {
    }

    /** Base64 of the SHA-256 digest of {@code body} ({@code ""} for a request without one). */
    public static String contentHash(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** The text that is signed; {@code path} is the request's path as sent, without the query. */
    public static String canonicalRequest(String method, String path, String contentHash, String timestamp, String userId,
                                          String serverApiVersion) {
        return "Method:" + method.toUpperCase(java.util.Locale.ROOT) + "\n"
                + "Path:" + path + "\n"
                + "X-Ops-Content-Hash:" + contentHash + "\n"
                + "X-Ops-Sign:version=1.3\n"
                + "X-Ops-Timestamp:" + timestamp + "\n"
                + "X-Ops-UserId:" + userId + "\n"
                + "X-Ops-Server-API-Version:" + serverApiVersion;
    }

    /** @return the authentication headers, in order, for one request */
    public static Map<String, String> headers(PrivateKey key, String userId, String method, String path, byte[] body,
                                              Instant now, String serverApiVersion) {
        String hash = contentHash(body);
        String timestamp = TIMESTAMP.format(now);
        String signature = sign(key, canonicalRequest(method, path, hash, timestamp, userId, serverApiVersion));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Ops-Sign", SIGN);
        headers.put("X-Ops-Userid", userId);
        headers.put("X-Ops-Timestamp", timestamp);
        headers.put("X-Ops-Content-Hash", hash);
        headers.put("X-Ops-Server-API-Version", serverApiVersion);
        for (int i = 0, n = 1; i < signature.length(); i += LINE, n++) {
            headers.put("X-Ops-Authorization-" + n, signature.substring(i, Math.min(signature.length(), i + LINE)));
        }
        return headers;
    }

    /** Base64 of the RSA (PKCS#1 v1.5) signature of the SHA-256 digest of {@code canonical}. */
    public static String sign(PrivateKey key, String canonical) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(canonical.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            // The message names the failure, never the key.
            throw new IllegalStateException("cannot sign a Chef request: " + e.getClass().getSimpleName());
        }
    }
}
