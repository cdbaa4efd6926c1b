package dev.lifeguard.steps.chef;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chef's authentication protocol 1.3 against a vector made independently of this code:
 * {@code canonical-delete.sig} is {@code openssl dgst -sha256 -sign client-pkcs1.pem} of the
 * canonical request below, base64. RSA PKCS#1 v1.5 is deterministic, so the signatures must be
 * the same bytes.
 */
class ChefSignerTest {
    static final Path KEYS = Path.of("src/test/resources/chef");
    static final String CANONICAL_DELETE = "Method:DELETE\n"
            + "Path:/organizations/acme/nodes/web-1\n"
            + "X-Ops-Content-Hash:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
            + "X-Ops-Sign:version=1.3\n"
            + "X-Ops-Timestamp:2024-05-01T12:00:00Z\n"
            + "X-Ops-UserId:lifeguard\n"
            + "X-Ops-Server-API-Version:1";

    static PrivateKey privateKey() throws Exception {
        return PemKeys.rsaPrivateKey(Files.readString(KEYS.resolve("client-pkcs1.pem")), "test");
    }

    static PublicKey publicKey() throws Exception {
        String pem = Files.readString(KEYS.resolve("client-public.pem")).replaceAll("-----[A-Z ]+-----", "");
        return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getMimeDecoder().decode(pem)));
    }

    @Test
    void theContentHashIsBase64Sha256AndTheEmptyBodyHasTheWellKnownOne() {
        assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", ChefSigner.contentHash(new byte[0]));
        // sha256("abc"), FIPS 180-2's example, in base64
        assertEquals("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=", ChefSigner.contentHash("abc".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theCanonicalRequestHasTheSevenLinesInTheDocumentedOrder() {
        assertEquals(CANONICAL_DELETE, ChefSigner.canonicalRequest("delete", "/organizations/acme/nodes/web-1",
                "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "2024-05-01T12:00:00Z", "lifeguard", "1"));
    }

    @Test
    void theSignatureIsTheSameAsOpensslsOfTheCanonicalRequest() throws Exception {
        String expected = Files.readString(KEYS.resolve("canonical-delete.sig")).strip();
        assertEquals(expected, ChefSigner.sign(privateKey(), CANONICAL_DELETE));
    }

    @Test
    void theHeadersCarryTheSignatureIn60CharacterLinesThatVerifyWithThePublicKey() throws Exception {
        Map<String, String> headers = ChefSigner.headers(privateKey(), "lifeguard", "DELETE", "/organizations/acme/nodes/web-1",
                new byte[0], Instant.parse("2024-05-01T12:00:00.789Z"), "1");
        assertEquals("algorithm=sha256;version=1.3", headers.get("X-Ops-Sign"));
        assertEquals("lifeguard", headers.get("X-Ops-Userid"));
        assertEquals("2024-05-01T12:00:00Z", headers.get("X-Ops-Timestamp"));
        assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", headers.get("X-Ops-Content-Hash"));
        assertEquals("1", headers.get("X-Ops-Server-API-Version"));
        StringBuilder signature = new StringBuilder();
        for (int n = 1; headers.containsKey("X-Ops-Authorization-" + n); n++) {
            String line = headers.get("X-Ops-Authorization-" + n);
            assertTrue(line.length() <= 60, line);
            signature.append(line);
        }
        assertEquals(6, headers.keySet().stream().filter(h -> h.startsWith("X-Ops-Authorization-")).count(), "2048-bit: 344 characters");
        assertEquals(Files.readString(KEYS.resolve("canonical-delete.sig")).strip(), signature.toString());
        Signature verify = Signature.getInstance("SHA256withRSA");
        verify.initVerify(publicKey());
        verify.update(CANONICAL_DELETE.getBytes(StandardCharsets.UTF_8));
        assertTrue(verify.verify(Base64.getDecoder().decode(signature.toString())));
    }

    @Test
    void aPkcs1KeyIsWrappedIntoTheSamePkcs8KeyOpensslWrites() throws Exception {
        PrivateKey pkcs1 = privateKey();
        PrivateKey pkcs8 = PemKeys.rsaPrivateKey(Files.readString(KEYS.resolve("client-pkcs8.pem")), "test");
        assertArrayEquals(pkcs8.getEncoded(), pkcs1.getEncoded());
    }

    @Test
    void derLengthsUseTheShortFormBelow128AndTheLongFormAbove() {
        assertArrayEquals(new byte[] {0x7f}, PemKeys.length(127));
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0x80}, PemKeys.length(128));
        assertArrayEquals(new byte[] {(byte) 0x82, 0x04, (byte) 0xa5}, PemKeys.length(1189));
        assertArrayEquals(new byte[] {(byte) 0x83, 0x01, 0x00, 0x00}, PemKeys.length(65536));
    }

    @Test
    void aBrokenKeyIsRefusedWithoutQuotingIt() throws Exception {
        String pem = Files.readString(KEYS.resolve("client-pkcs1.pem"));
        String[] lines = pem.split("\n");
        String damaged = lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n-----END RSA PRIVATE KEY-----\n";
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> PemKeys.rsaPrivateKey(damaged, "env:CHEF_KEY"));
        assertTrue(error.getMessage().startsWith("env:CHEF_KEY holds"), error::getMessage);
        assertFalse(error.getMessage().contains(pem.substring(40, 80)));
        assertThrows(IllegalArgumentException.class, () -> PemKeys.rsaPrivateKey("not a key", "file:/k.pem"));
    }

    @Test
    void pathSegmentsArePercentEncoded() {
        assertEquals("web-1.example_com~", ChefServerApi.segment("web-1.example_com~"));
        assertEquals("a%2Fb%20c%3F%C3%A9", ChefServerApi.segment("a/b c?é"));
    }
}
