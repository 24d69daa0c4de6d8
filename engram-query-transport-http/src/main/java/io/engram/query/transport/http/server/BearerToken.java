package io.engram.query.transport.http.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/**
 * A configured bearer token, checked in constant time. Both sides are hashed before {@link MessageDigest#isEqual}, so
 * neither the content nor the length of the expected token shows in the time a check takes. Never printed.
 */
final class BearerToken {
    private static final String SCHEME = "bearer ";

    private final byte[] expectedHash;
    private final String realm;

    BearerToken(String token, String realm) {
        this.expectedHash = sha256(token);
        this.realm = realm;
    }

    /** Throws a 401 problem unless {@code authorization} is {@code Bearer <the token>}. */
    void check(Optional<String> authorization) {
        if (authorization.isEmpty()) {
            throw unauthorized("missing bearer token; send the header 'Authorization: Bearer <" + realm + " token>'");
        }
        String header = authorization.get();
        if (header.length() < SCHEME.length()
                || !header.substring(0, SCHEME.length())
                        .toLowerCase(Locale.ROOT)
                        .equals(SCHEME)) {
            throw unauthorized("the Authorization header must use the Bearer scheme");
        }
        byte[] presented = sha256(header.substring(SCHEME.length()).trim());
        if (!MessageDigest.isEqual(presented, expectedHash)) {
            throw unauthorized("invalid " + realm + " token");
        }
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(Problem.of(401, "Unauthorized", detail));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[" + realm + ", ***]";
    }
}
