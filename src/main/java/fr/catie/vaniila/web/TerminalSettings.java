package fr.catie.vaniila.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the web terminal, under {@code vaniila.terminal.*} (environment {@code VANIILA_TERMINAL_*}).
 *
 * @param idleTimeout    a terminal without a keystroke for this long is closed (its allocation ends)
 * @param maxMessageSize the largest WebSocket message the portal reads; the page sends pastes in
 *                       smaller pieces, so only a misbehaving client reaches it
 * @param sendTimeLimit  a browser that takes longer than this to accept one message is disconnected;
 *                       until then its terminal's output waits (nothing piles up in the portal)
 */
@ConfigurationProperties("vaniila.terminal")
public record TerminalSettings(@DefaultValue("30m") Duration idleTimeout, @DefaultValue("64KB") DataSize maxMessageSize,
        @DefaultValue("10s") Duration sendTimeLimit) {

    public TerminalSettings {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("vaniila.terminal.idle-timeout must be positive, e.g. 30m, not " + idleTimeout);
        }
        if (maxMessageSize.toBytes() < 1024 || maxMessageSize.toBytes() > (16 << 20)) {
            throw new IllegalArgumentException("vaniila.terminal.max-message-size must be between 1KB and 16MB, e.g. 64KB, not "
                    + maxMessageSize);
        }
        if (sendTimeLimit.isNegative() || sendTimeLimit.isZero()) {
            throw new IllegalArgumentException("vaniila.terminal.send-time-limit must be positive, e.g. 10s, not " + sendTimeLimit);
        }
    }
}
