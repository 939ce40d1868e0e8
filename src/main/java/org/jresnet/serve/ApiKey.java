package org.jresnet.serve;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The {@code --api-key} check. Both keys are hashed first, so {@link MessageDigest#isEqual} (which
 * takes the same time whatever the bytes) compares equal lengths: neither the key's content nor
 * its length leaks through response times.
 */
final class ApiKey {
    private static final String SCHEME = "Bearer ";
    private final byte[] expected;

    ApiKey(String key) { this.expected = sha256(key); }

    /** True when {@code authorization} is {@code Bearer KEY} with the right key. */
    boolean accepts(String authorization) {
        String given = authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                ? authorization.substring(SCHEME.length()).trim() : "";
        // Hash even an absent key: the answer then takes the same time as a wrong one.
        boolean same = MessageDigest.isEqual(expected, sha256(given));
        return same && !given.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
