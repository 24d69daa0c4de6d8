package io.engram.query.transport.http.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemKeyStoresTest {
    @TempDir
    static Path dir;

    private static TestCertificates ca;
    private static TestCertificates.Issued ec;
    private static TestCertificates.Issued rsa;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.authority(dir, "pem-ca");
        ec = ca.issue("ec-node", "EC");
        rsa = ca.issue("rsa-node", "RSA");
    }

    @Test
    void ecAndRsaPkcs8KeysMakeAKeyStoreWithTheirChain() throws Exception {
        for (TestCertificates.Issued issued : new TestCertificates.Issued[] {ec, rsa}) {
            KeyStore store = PemKeyStores.keyStore(issued.certFile(), issued.keyFile());

            String alias = Collections.list(store.aliases()).get(0);
            assertThat(store.getCertificateChain(alias)).hasSize(2);
            assertThat(((X509Certificate) store.getCertificateChain(alias)[1])
                            .getSubjectX500Principal()
                            .getName())
                    .isEqualTo("CN=pem-ca");
            assertThat(store.getKey(alias, PemKeyStores.KEY_PASSWORD.toCharArray()))
                    .isInstanceOf(PrivateKey.class);
        }
        assertThat(PemKeyStores.privateKey(ec.keyFile()).getAlgorithm()).isEqualTo("EC");
        assertThat(PemKeyStores.privateKey(rsa.keyFile()).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void aCaFileMakesATrustStoreOfItsCertificates() throws Exception {
        KeyStore trust = PemKeyStores.trustStore(ca.caFile());

        assertThat(Collections.list(trust.aliases())).containsExactly("ca-0");
        assertThat(trust.isCertificateEntry("ca-0")).isTrue();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> PemKeyStores.keyStore(ec.certFile(), rsa.keyFile()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(rsa.keyFile() + " is not the private key of the first certificate in " + ec.certFile()
                        + " (CN=ec-node)");
    }

    @Test
    void traditionalAndEncryptedKeysAreRefusedWithTheCommandThatConverts() throws Exception {
        Path traditional = dir.resolve("traditional.pem");
        Files.writeString(traditional, TestCertificates.pem("EC PRIVATE KEY", new byte[] {1, 2}));
        Path encrypted = dir.resolve("encrypted.pem");
        Files.writeString(encrypted, TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2}));

        assertThatThrownBy(() -> PemKeyStores.privateKey(traditional))
                .hasMessage(traditional + " holds an EC key in the traditional format (BEGIN EC PRIVATE KEY); convert"
                        + " it to PKCS#8: openssl pkcs8 -topk8 -nocrypt -in " + traditional + " -out key.pem");
        assertThatThrownBy(() -> PemKeyStores.privateKey(encrypted))
                .hasMessage(encrypted + " holds an encrypted key (BEGIN ENCRYPTED PRIVATE KEY); store it unencrypted,"
                        + " readable by the node only: openssl pkcs8 -in " + encrypted + " -out key.pem");
    }

    @Test
    void filesWithoutWhatTheyShouldHoldAreRefused() throws Exception {
        Path text = dir.resolve("text.pem");
        Files.writeString(text, "not a PEM file\n");

        assertThatThrownBy(() -> PemKeyStores.trustStore(text))
                .hasMessage(text + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        assertThatThrownBy(() -> PemKeyStores.privateKey(ec.certFile()))
                .hasMessage(ec.certFile() + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        assertThatThrownBy(() -> PemKeyStores.certificates(dir.resolve("nope.pem")))
                .hasMessage(dir.resolve("nope.pem") + " can not be read: NoSuchFileException");
    }
}
