package io.engram.query.transport.http.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made at test time with the JDK's {@code keytool}, and certificates it signs for
 * {@code 127.0.0.1} and {@code localhost}, written as the PEM files a node reads: the CA certificate, a node's chain
 * (leaf first) and its PKCS#8 private key.
 */
public final class TestCertificates {
    private static final String PASSWORD = "test-pass";

    private final Path dir;
    private final String name;

    /** A certificate and its key, as PEM files. */
    public record Issued(Path certFile, Path keyFile) {}

    private TestCertificates(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new CA named {@code name} (EC P-256), its files in {@code dir}. */
    public static TestCertificates authority(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        TestCertificates ca = new TestCertificates(dir, name);
        Files.deleteIfExists(ca.store(name));
        keytool(
                dir,
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + name,
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                ca.store(name).toString());
        keytool(
                dir,
                "-exportcert",
                "-rfc",
                "-alias",
                name,
                "-file",
                ca.caFile().toString(),
                "-keystore",
                ca.store(name).toString());
        return ca;
    }

    /** The CA certificate (PEM): what {@code tls.ca_file} names. */
    public Path caFile() {
        return dir.resolve(name + "-ca.pem");
    }

    /** An EC certificate for {@code 127.0.0.1} and {@code localhost}, signed by this CA. */
    public Issued issue(String subject) throws IOException {
        return issue(subject, "EC");
    }

    /** A certificate of key algorithm {@code keyAlgorithm} (EC or RSA) for 127.0.0.1 and localhost. */
    public Issued issue(String subject, String keyAlgorithm) throws IOException {
        Path store = store(subject);
        Files.deleteIfExists(store);
        List<String> keyOptions = keyAlgorithm.equals("RSA")
                ? List.of("-keyalg", "RSA", "-keysize", "2048")
                : List.of("-keyalg", "EC", "-groupname", "secp256r1");
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", subject));
        generate.addAll(keyOptions);
        generate.addAll(List.of("-dname", "CN=" + subject, "-validity", "2", "-keystore", store.toString()));
        keytool(dir, generate.toArray(new String[0]));
        Path csr = dir.resolve(subject + ".csr");
        Path leaf = dir.resolve(subject + "-leaf.pem");
        keytool(dir, "-certreq", "-alias", subject, "-file", csr.toString(), "-keystore", store.toString());
        keytool(
                dir,
                "-gencert",
                "-rfc",
                "-alias",
                name,
                "-infile",
                csr.toString(),
                "-outfile",
                leaf.toString(),
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-ext",
                "EKU=serverAuth,clientAuth",
                "-validity",
                "2",
                "-keystore",
                store(name).toString());
        Issued issued = new Issued(dir.resolve(subject + ".pem"), dir.resolve(subject + "-key.pem"));
        Files.writeString(issued.certFile(), Files.readString(leaf, US_ASCII) + Files.readString(caFile(), US_ASCII));
        Files.writeString(
                issued.keyFile(), pem("PRIVATE KEY", privateKey(store, subject).getEncoded()));
        return issued;
    }

    /** PEM text of one block. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private Path store(String alias) {
        return dir.resolve(alias + ".p12");
    }

    private static Key privateKey(Path store, String alias) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, PASSWORD.toCharArray());
            return keyStore.getKey(alias, PASSWORD.toCharArray());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("could not read the key of " + alias + " from " + store, e);
        }
    }

    private static void keytool(Path dir, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        // a short-lived JVM: these start it about twice as fast
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(arguments));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
        Path output = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "keytool failed (" + process.exitValue() + "): " + command + "\n" + Files.readString(output));
        }
    }
}
