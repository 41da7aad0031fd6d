package fr.catie.vaniila.ssh;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the SSH server, under {@code vaniila.ssh.*} (environment {@code VANIILA_SSH_*}).
 *
 * @param enabled                whether the portal serves SSH at all
 * @param port                   the port; 0 picks a free one (tests)
 * @param bindAddress            the address to listen on
 * @param passwordAuthentication whether passwords are accepted besides keys (off: keys only)
 * @param workspaceQuota         the most a workspace may hold; SFTP and SCP writes stop there
 */
@ConfigurationProperties("vaniila.ssh")
public record SshSettings(@DefaultValue("true") boolean enabled, @DefaultValue("2222") int port,
        @DefaultValue("0.0.0.0") String bindAddress, @DefaultValue("false") boolean passwordAuthentication,
        @DefaultValue("50GB") DataSize workspaceQuota) {

    public SshSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("vaniila.ssh.port must be between 0 and 65535, not " + port);
        }
        if (workspaceQuota.toBytes() <= 0) {
            throw new IllegalArgumentException("vaniila.ssh.workspace-quota must be positive, e.g. 50GB");
        }
    }
}
