package io.engram.query.transport.http.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * In-memory {@link KeyStore}s from PEM files, with the JDK alone: a certificate chain and its PKCS#8 private key
 * ({@code BEGIN PRIVATE KEY}; RSA, EC or Ed25519) as a key store, CA certificates as a trust store. Jetty's {@code
 * SslContextFactory} reads key stores, not PEM files. A file that can not be used fails with {@link
 * IllegalArgumentException} naming the file and, for a key in another format, the {@code openssl} command that
 * converts it.
 */
public final class PemKeyStores {
    /**
     * The password of the in-memory key stores. They are never written anywhere, so it protects nothing; Jetty and
     * {@code KeyManagerFactory} need one.
     */
    public static final String KEY_PASSWORD = "engram-in-memory";

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----", Pattern.DOTALL);
    private static final String ALIAS = "engram";

    private PemKeyStores() {}

    /** A PKCS#12 key store holding {@code keyFile}'s key with {@code certificateFile}'s chain (leaf first). */
    public static KeyStore keyStore(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException(keyFile + " is not the private key of the first certificate in "
                    + certificateFile + " (" + chain.get(0).getSubjectX500Principal() + ")");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, KEY_PASSWORD.toCharArray(), chain.toArray(new X509Certificate[0]));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "could not build a key store from " + keyFile + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS#12 trust store of every certificate in {@code caFile}. */
    public static KeyStore trustStore(Path caFile) {
        List<X509Certificate> cas = certificates(caFile);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "could not build a trust store from " + caFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A TLS client context for the JDK's {@code HttpClient}: trusting {@code caFile}'s certificates (the JDK's when
     * empty), presenting {@code certificateFile} with {@code keyFile} when both are given (mutual TLS).
     */
    public static SSLContext clientContext(
            Optional<Path> caFile, Optional<Path> certificateFile, Optional<Path> keyFile) {
        if (certificateFile.isPresent() != keyFile.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs both its certificate and its key file");
        }
        try {
            KeyManagerFactory keys = null;
            if (certificateFile.isPresent()) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(keyStore(certificateFile.get(), keyFile.get()), KEY_PASSWORD.toCharArray());
            }
            TrustManagerFactory trust = null;
            if (caFile.isPresent()) {
                trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(trustStore(caFile.get()));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    keys == null ? null : keys.getKeyManagers(), trust == null ? null : trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("could not set up TLS: " + e.getMessage(), e);
        }
    }

    /** The {@code CERTIFICATE} blocks of a PEM file, in order; at least one. */
    public static List<X509Certificate> certificates(Path file) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(
                    file + " holds a certificate that can not be read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    /** The one {@code PRIVATE KEY} block of a PEM file. */
    static PrivateKey privateKey(Path file) {
        List<Block> keys = blocks(file).stream()
                .filter(b -> b.type().endsWith("PRIVATE KEY"))
                .toList();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        if (keys.size() > 1) {
            throw new IllegalArgumentException(file + " holds " + keys.size() + " private keys; it must hold one");
        }
        Block block = keys.get(0);
        switch (block.type()) {
            case "PRIVATE KEY" -> {
                // an unencrypted PKCS#8 key; the algorithm is inside it
            }
            case "ENCRYPTED PRIVATE KEY" ->
                throw new IllegalArgumentException(file + " holds an encrypted key (BEGIN ENCRYPTED PRIVATE KEY);"
                        + " store it unencrypted, readable by the node only: openssl pkcs8 -in " + file
                        + " -out key.pem");
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
                throw new IllegalArgumentException(file + " holds an "
                        + block.type().replace(" PRIVATE KEY", "")
                        + " key in the traditional format (BEGIN " + block.type() + "); convert it to PKCS#8: openssl"
                        + " pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
            default ->
                throw new IllegalArgumentException(file + " holds a key of type '" + block.type()
                        + "'; an unencrypted PKCS#8 key (BEGIN PRIVATE KEY) is needed");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(block.der());
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(file + " holds a PKCS#8 key that is neither RSA, EC nor Ed25519");
    }

    /** Whether {@code key} signs what {@code publicKey} verifies: the key belongs to the certificate. */
    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm();
        };
        byte[] probe = "engram-query key check".getBytes(US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key with an RSA certificate
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) {
        String text;
        try {
            text = Files.readString(file, US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    file + " can not be read: " + e.getClass().getSimpleName(), e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String body = m.group(2);
            if (body.contains("Proc-Type:")) {
                throw new IllegalArgumentException(file + " holds an encrypted key (Proc-Type: 4,ENCRYPTED); write"
                        + " it unencrypted as PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
            }
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body.strip())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " has a " + m.group(1) + " block that is not Base64", e);
            }
        }
        return blocks;
    }
}
