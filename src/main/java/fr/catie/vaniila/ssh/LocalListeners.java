package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who listens on a TCP port of the portal's own machine, read from {@code /proc/net/tcp} and
 * {@code tcp6}. When a node of an interactive job is this machine (the in-process virtual nodes,
 * or a node beside the portal), a forward must reach the job's own listener and not the portal's
 * HTTP port, its SSH port or its database, which all listen here too: the listening socket must
 * belong to the job's Unix account. Stateless and thread-safe.
 */
final class LocalListeners {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String LISTEN = "0A";

    private LocalListeners() {
    }

    /** Whether {@code host} names this machine (loopback or one of its interfaces' addresses). */
    static boolean isThisMachine(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isAnyLocalAddress()
                        || NetworkInterface.getByInetAddress(address) != null) {
                    return true;
                }
            }
            return false;
        } catch (UnknownHostException | SocketException e) {
            return false;
        }
    }

    /** Whether a socket listening on {@code port} here belongs to the Unix account {@code uid}. */
    static boolean listenedOnBy(int port, int uid) {
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                if (listens(line, port, uid)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One line of /proc/net/tcp: "sl local_address rem_address st ... uid ...", ports in hex. */
    static boolean listens(String line, int port, int uid) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 8 || !LISTEN.equals(f[3])) {
            return false;
        }
        int colon = f[1].lastIndexOf(':');
        try {
            return colon > 0 && Integer.parseInt(f[1].substring(colon + 1), 16) == port && Integer.parseInt(f[7]) == uid;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
