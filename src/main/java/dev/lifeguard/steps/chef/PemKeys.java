package dev.lifeguard.steps.chef;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an RSA private key from PEM text: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what Chef
 * issues for a client) or unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). The JDK reads only
 * PKCS#8, so a PKCS#1 key is wrapped in a PKCS#8 PrivateKeyInfo first. Errors never quote the
 * text, which is a secret.
 */
public final class PemKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (RSA PRIVATE KEY|PRIVATE KEY)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    /** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
            0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemKeys() {
    }

    /** @param where where the text came from, for the error message ("ssm:/chef/key") */
    public static PrivateKey rsaPrivateKey(String pem, String where) {
        Matcher matcher = pem == null ? null : PEM.matcher(pem);
        if (matcher == null || !matcher.find()) {
            throw new IllegalArgumentException(where + " holds no unencrypted PEM RSA private key"
                    + " (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(matcher.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " holds a PEM key whose base64 cannot be decoded");
        }
        byte[] pkcs8 = matcher.group(1).equals("RSA PRIVATE KEY") ? pkcs1ToPkcs8(der) : der;
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(where + " holds a PEM key that is not a valid RSA private key");
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { version INTEGER 0, AlgorithmIdentifier, privateKey OCTET STRING (the PKCS#1 DER) }. */
    static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(0x30);
        info.writeBytes(length(body.size()));
        info.writeBytes(body.toByteArray());
        return info.toByteArray();
    }

    /** A DER length: one byte below 128, else 0x80 + the count of big-endian bytes that follow. */
    static byte[] length(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        byte[] encoded = new byte[bytes + 1];
        encoded[0] = (byte) (0x80 | bytes);
        for (int i = bytes; i >= 1; i--) {
            encoded[i] = (byte) length;
            length >>>= 8;
        }
        return encoded;
    }
}
