package io.engram.query.transport.tcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The cluster token a listener expects in each connection's handshake. Compared in constant time on digests, so
 * neither the content nor the length of the expected token leaks through timing; never logged or printed.
 */
final class ClusterToken {
    private final Optional<byte[]> expected;

    ClusterToken(Optional<String> token) {
        this.expected = token.map(ClusterToken::digest);
    }

    /** Whether a handshake carrying {@code presented} may proceed: always when this node expects no token. */
    boolean admits(String presented) {
        return expected.map(e -> MessageDigest.isEqual(e, digest(presented))).orElse(true);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return expected.isPresent() ? "ClusterToken[****]" : "ClusterToken[none]";
    }
}
