package fr.catie.vaniila.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import fr.catie.vaniila.identity.AccountId;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.OrganisationId;
import fr.catie.vaniila.identity.Role;
import fr.catie.vaniila.platform.VaniilaProperties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The workspace files module on a real disk: paths, links, quota, uploads, zip, rename and delete. */
class UserFilesTest {

    @TempDir
    Path dir;

    private UserFiles files;
    private Caller alice;
    private Path workspace;

    @BeforeEach
    void setUp() throws IOException {
        // Jobs run as their users, who must pass through to their workspaces (Workspaces says so otherwise).
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        VaniilaProperties properties = new VaniilaProperties(dir, null, null, null,
                new VaniilaProperties.Workspaces(dir.resolve("ws")), null, null, null, null, null, null, null);
        Workspaces workspaces = new Workspaces(properties);
        files = new UserFiles(workspaces, DataSize.ofBytes(1000));
        alice = new Caller(new AccountId(1), "alice", new OrganisationId(1), "acme", Role.USER, -1);
        workspace = workspaces.create(alice);
    }

    private static UserFiles.Upload upload(String name, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new UserFiles.Upload(name, bytes.length, () -> new ByteArrayInputStream(bytes));
    }

    @Test
    void pathsThatLeaveTheWorkspaceAreRefusedWithTheReason() {
        for (String path : List.of("../bob", "a/../../x", "/etc/passwd", "..")) {
            assertThatThrownBy(() -> files.list(alice, path)).isInstanceOfSatisfying(FileProblem.class,
                    p -> assertThat(p.reason()).isEqualTo(FileProblem.Reason.OUTSIDE))
                    .hasMessageContaining("outside your workspace");
        }
        assertThat(WorkspacePath.parse("./a//b/").value()).isEqualTo("a/b");
    }

    @Test
    void aLinkToOutsideIsNeitherFollowedNorZippedButCanBeDeleted() throws IOException {
        Files.createSymbolicLink(workspace.resolve("etc"), Path.of("/etc"));
        Files.writeString(workspace.resolve("kept.txt"), "kept");
        for (String path : List.of("etc", "etc/passwd", "etc/")) {
            assertThatThrownBy(() -> files.open(alice, path)).isInstanceOfSatisfying(FileProblem.class,
                    p -> assertThat(p.reason()).isEqualTo(FileProblem.Reason.THROUGH_LINK));
        }
        assertThatThrownBy(() -> files.list(alice, "etc")).hasMessageContaining("symbolic link");
        UserFiles.Entry link = files.list(alice, "").entries().stream().filter(e -> e.name().equals("etc")).findFirst()
                .orElseThrow();
        assertThat(link.kind()).isEqualTo(UserFiles.Kind.OTHER);
        assertThat(link.link()).isTrue();
        assertThat(zipNames("")).containsExactly("alice/", "alice/kept.txt");
        files.delete(alice, "etc");
        assertThat(Files.exists(Path.of("/etc/passwd"))).isTrue();
        assertThat(Files.exists(workspace.resolve("etc"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void uploadsArePrivateAndStopAtTheQuotaLeavingNothingBehind() throws IOException {
        files.upload(alice, "", List.of(upload("a.txt", "x".repeat(600))));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(workspace.resolve("a.txt"))))
                .isEqualTo("rw-------");
        assertThatThrownBy(() -> files.upload(alice, "", List.of(upload("b.txt", "y".repeat(500)))))
                .isInstanceOfSatisfying(FileProblem.class, p -> assertThat(p.reason()).isEqualTo(FileProblem.Reason.QUOTA))
                .hasMessageContaining("free of its quota");
        // Replacing a file counts only the difference.
        files.upload(alice, "", List.of(upload("a.txt", "z".repeat(900))));
        assertThat(Files.readString(workspace.resolve("a.txt"))).hasSize(900);
        try (var listing = Files.list(workspace)) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("a.txt");
        }
    }

    @Test
    void aFailedUploadLeavesNoPartialFile() throws IOException {
        UserFiles.Upload broken = new UserFiles.Upload("half.bin", 100, () -> new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ < 50) {
                    return 'h';
                }
                throw new IOException("the connection dropped");
            }
        });
        assertThatThrownBy(() -> files.upload(alice, "", List.of(broken))).hasMessageContaining("connection dropped");
        try (var listing = Files.list(workspace)) {
            assertThat(listing).isEmpty();
        }
    }

    @Test
    void foldersAreMadeRenamedZippedAndDeletedRecursively() throws IOException {
        WorkspacePath data = files.mkdir(alice, "", "data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(workspace.resolve("data"))))
                .isEqualTo("rwx------");
        files.upload(alice, "data", List.of(upload("one.txt", "1"), upload("two.txt", "22")));
        assertThatThrownBy(() -> files.mkdir(alice, "", "data")).hasMessageContaining("already exists");
        assertThatThrownBy(() -> files.mkdir(alice, "", "a/b")).hasMessageContaining("cannot hold '/'");
        WorkspacePath renamed = files.rename(alice, data.value(), "results");
        assertThat(renamed.value()).isEqualTo("results");
        assertThat(files.list(alice, "results").entries()).extracting(UserFiles.Entry::name)
                .containsExactly("one.txt", "two.txt");
        assertThat(zipNames("results")).containsExactly("results/", "results/one.txt", "results/two.txt");
        assertThatThrownBy(() -> files.delete(alice, "")).hasMessageContaining("cannot be renamed or deleted");
        files.delete(alice, "results");
        assertThat(files.list(alice, "").entries()).isEmpty();
        assertThatThrownBy(() -> files.delete(alice, "results")).isInstanceOfSatisfying(FileProblem.class,
                p -> assertThat(p.reason()).isEqualTo(FileProblem.Reason.NOT_FOUND));
    }

    @Test
    void previewsShowTheStartOfTextAndKnowImagesAndBinaries() throws IOException {
        Files.writeString(workspace.resolve("page.html"), "<script>alert(1)</script>");
        Files.write(workspace.resolve("big.log"), "é".repeat(UserFiles.PREVIEW_BYTES).getBytes(StandardCharsets.UTF_8));
        Files.write(workspace.resolve("model.bin"), new byte[] {1, 0, 2});
        Files.write(workspace.resolve("plot.PNG"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.writeString(workspace.resolve("logo.svg"), "<svg/>");
        assertThat(files.preview(alice, "page.html")).isEqualTo(new UserFiles.Text("<script>alert(1)</script>", false));
        UserFiles.Text big = (UserFiles.Text) files.preview(alice, "big.log");
        assertThat(big.truncated()).isTrue();
        assertThat(big.text()).hasSize(UserFiles.PREVIEW_BYTES / 2);
        assertThat(files.preview(alice, "model.bin")).isInstanceOf(UserFiles.Binary.class);
        assertThat(files.preview(alice, "plot.PNG")).isEqualTo(new UserFiles.Image("image/png"));
        assertThat(files.preview(alice, "logo.svg")).isInstanceOf(UserFiles.Text.class);
        assertThat(files.stat(alice, "logo.svg").imageType()).isNull();
    }

    @Test
    void openingNeverFollowsALinkOutWhateverWasCheckedBefore() throws IOException {
        // What a job could swap in between a check and a use: the opening itself must refuse it.
        Path root = workspace.toRealPath();
        Files.createSymbolicLink(workspace.resolve("etc"), Path.of("/etc"));
        Files.createDirectories(workspace.resolve("data"));
        Files.writeString(workspace.resolve("data/x.txt"), "inside");
        Files.createSymbolicLink(workspace.resolve("shortcut"), Path.of("data"));
        Files.createSymbolicLink(workspace.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(workspace.resolve("loop-b"), Path.of("loop-a"));
        assertThatThrownBy(() -> RealFolders.read(root, List.of("etc", "passwd"), "etc/passwd"))
                .isInstanceOf(java.nio.file.AccessDeniedException.class).hasMessageContaining("symbolic link");
        assertThatThrownBy(() -> RealFolders.folder(root, List.of("etc"), "etc").close())
                .isInstanceOf(java.nio.file.AccessDeniedException.class);
        assertThatThrownBy(() -> RealFolders.read(root, List.of("loop-a"), "loop-a"))
                .hasMessageContaining("too many symbolic links");
        try (var in = java.nio.channels.Channels.newInputStream(
                RealFolders.read(root, List.of("shortcut", "x.txt"), "shortcut/x.txt"))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("inside");
        }
        assertThat(files.list(alice, "shortcut").entries()).extracting(UserFiles.Entry::name).containsExactly("x.txt");
        files.upload(alice, "shortcut", List.of(upload("y.txt", "through an inside link")));
        assertThat(Files.readString(workspace.resolve("data/y.txt"))).isEqualTo("through an inside link");
    }

    private List<String> zipNames(String folder) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.zip(alice, folder, out);
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(out.toByteArray()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
        }
        names.sort(null);
        return names;
    }
}
