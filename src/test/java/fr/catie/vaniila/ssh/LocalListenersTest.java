package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

class LocalListenersTest {

    private static final String LINE =
            "   3: 0100007F:B623 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1234        0 2716435 1 0 100 0 0 10 0";

    @Test
    void aListeningLineIsMatchedByPortAndUid() {
        assertThat(LocalListeners.listens(LINE, 0xB623, 1234)).isTrue();
        assertThat(LocalListeners.listens(LINE, 0xB623, 0)).isFalse();
        assertThat(LocalListeners.listens(LINE, 0xB624, 1234)).isFalse();
        assertThat(LocalListeners.listens(LINE.replace(" 0A ", " 01 "), 0xB623, 1234)).isFalse();
        assertThat(LocalListeners.listens("garbage", 1, 1)).isFalse();
    }

    @Test
    void aRealListenerOfThisProcessIsSeenWithItsOwner() throws Exception {
        long uid = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
        try (ServerSocket socket = new ServerSocket(0)) {
            assertThat(LocalListeners.listenedOnBy(socket.getLocalPort(), (int) uid)).isTrue();
            assertThat(LocalListeners.listenedOnBy(socket.getLocalPort(), (int) uid + 1)).isFalse();
        }
        assertThat(LocalListeners.isThisMachine("127.0.0.1")).isTrue();
        assertThat(LocalListeners.isThisMachine("localhost")).isTrue();
    }
}
