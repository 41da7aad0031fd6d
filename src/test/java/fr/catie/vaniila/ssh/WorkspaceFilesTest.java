package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceFilesTest {

    @TempDir
    Path dir;

    @Test
    void modesAskedByClientsKeepToTheOwner() {
        assertThat(PosixFilePermissions.toString(WorkspaceFiles.ownerOnly(PosixFilePermissions.fromString("rwxrwxrwx"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(WorkspaceFiles.ownerOnly(PosixFilePermissions.fromString("r--r--r--"))))
                .isEqualTo("rw-------");
    }

    @Test
    void writesStopAtTheQuota() throws Exception {
        Files.write(dir.resolve("old"), new byte[600]);
        assertThat(WorkspaceFiles.usage(dir)).isEqualTo(600);
        Path file = dir.resolve("new");
        try (SeekableByteChannel ch = new WorkspaceFiles.QuotaChannel(Files.newByteChannel(file, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE), WorkspaceFiles.usage(dir), 1000)) {
            assertThat(ch.write(ByteBuffer.wrap(new byte[300]))).isEqualTo(300);
            assertThatThrownBy(() -> ch.write(ByteBuffer.wrap(new byte[200]))).hasMessageContaining("workspace quota")
                    .hasMessageContaining("delete files");
            ch.position(0);
            assertThat(ch.write(ByteBuffer.wrap(new byte[400]))).isEqualTo(400); // rewriting in place costs nothing more
        }
        assertThat(Files.size(file)).isEqualTo(400);
    }
}
