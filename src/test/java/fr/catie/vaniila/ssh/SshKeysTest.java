package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

import fr.catie.vaniila.platform.Problem;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

class SshKeysTest {

    private static String openssh(String algorithm, Object init) throws Exception {
        // SSHD encodes the ed25519 keys of its own provider (BouncyCastle here), as an OpenSSH client's key would be.
        KeyPairGenerator g = algorithm.equals("Ed25519")
                ? org.apache.sshd.common.util.security.SecurityUtils.getKeyPairGenerator(
                        org.apache.sshd.common.util.security.SecurityUtils.EDDSA)
                : KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("Ed25519")) {
            g.initialize(255);
        }
        if (init instanceof Integer bits) {
            g.initialize(bits);
        } else if (init instanceof ECGenParameterSpec spec) {
            g.initialize(spec);
        }
        return PublicKeyEntry.toString(g.generateKeyPair().getPublic());
    }

    @Test
    void ed25519EcdsaAndLongRsaKeysAreAccepted() throws Exception {
        SshKeys.ParsedKey ed = SshKeys.parse(openssh("Ed25519", null) + " alice@laptop");
        assertThat(ed.type()).isEqualTo("ssh-ed25519");
        assertThat(ed.bits()).isEqualTo(256);
        assertThat(ed.comment()).isEqualTo("alice@laptop");
        assertThat(ed.fingerprint()).startsWith("SHA256:");
        SshKeys.ParsedKey ec = SshKeys.parse(openssh("EC", new ECGenParameterSpec("secp384r1")));
        assertThat(ec.type()).isEqualTo("ecdsa-sha2-nistp384");
        assertThat(ec.bits()).isEqualTo(384);
        assertThat(SshKeys.parse(openssh("RSA", 2048)).bits()).isEqualTo(2048);
    }

    @Test
    void weakOrWrongKeysAreRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> SshKeys.parse(openssh("RSA", 1024))).isInstanceOf(Problem.class)
                .hasMessageContaining("only 1024 bits").hasMessageContaining("at least 2048");
        assertThatThrownBy(() -> SshKeys.parse("ssh-dss AAAAB3NzaC1kc3MAAACBAP1/U4EddRIpUt9KnC7s5Of2EbdSPO9EAMMeP4C2USZp"))
                .hasMessageContaining("DSA keys are not accepted");
        assertThatThrownBy(() -> SshKeys.parse("-----BEGIN OPENSSH PRIVATE KEY-----\nabc"))
                .hasMessageContaining("private key");
        assertThatThrownBy(() -> SshKeys.parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI garbage"))
                .hasMessageContaining("not an OpenSSH public key");
        assertThatThrownBy(() -> SshKeys.parse("  ")).hasMessageContaining("Give the public key");
        String key = openssh("Ed25519", null);
        assertThatThrownBy(() -> SshKeys.parse(key + "\n" + key)).hasMessageContaining("one key per request");
    }
}
