package fr.catie.vaniila.ssh;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.interactive.AllocationRequest;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.interactive.Terminal;
import fr.catie.vaniila.interactive.TerminalOutput;
import fr.catie.vaniila.interactive.TerminalSize;
import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalIT;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code srun --pty} and {@code salloc} with the real OpenSSH client against the portal's SSH server: the shell
 * runs on a demo node under a real PTY, through the node's in-process agent and the terminal stream of the agent
 * protocol, as the user's own Unix account.
 */
class InteractiveIT extends PortalIT {

    @Autowired
    SshServerLifecycle server;

    @Autowired
    InteractiveAllocations allocations;

    @Autowired
    Accounts accounts;

    private String org;
    private String user;
    private String token;
    private Path keys;
    private OpenSsh client;

    @BeforeEach
    void aUserWithAKey() throws Exception {
        awaitNodes();
        org = unique("pty");
        user = unique("u");
        token = orgWithUser(org, user, "USER");
        keys = Files.createTempDirectory("ssh-keys");
        client = clientOf(user, token);
    }

    private OpenSsh clientOf(String username, String userToken) throws Exception {
        Path key = OpenSsh.keygen(keys, username);
        ApiClient.Response r = api.post("/api/v1/ssh-keys", json("publicKey", OpenSsh.publicKey(key)), userToken);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return new OpenSsh(server.port(), username, key);
    }

    private String sacctState(long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String line = "";
        while (System.nanoTime() < deadline) {
            line = client.ssh(null, "sacct -j " + id + " -n -P --format=JobID,State,ExitCode").out().strip();
            if (!line.contains("|RUNNING|") && !line.contains("|PENDING|") && !line.isEmpty()) {
                return line;
            }
            Thread.sleep(300);
        }
        return line;
    }

    @Test
    void srunPtyBashRunsOnTheAllocatedGpuAsTheUserAndExitsWithTheShellsCode() throws Exception {
        int uid = api.get("/api/v1/me", token).json().get("uid").asInt();
        try (OpenSsh.Typing srun = client.typing("srun", "--pty", "--gres=gpu:1", "-t", "10", "-J", "pty-test", "bash")) {
            srun.type("echo JOB=$SLURM_JOB_ID NODES=$SLURM_JOB_NODELIST UID=$(id -u) TTY=$(tty)\r");
            Matcher m = srun.await("JOB=(\\d+) NODES=(\\S+) UID=(\\d+) TTY=(/dev/pts/\\d+)");
            long id = Long.parseLong(m.group(1));
            assertThat(Integer.parseInt(m.group(3))).isEqualTo(uid).isNotZero();
            // The job is in squeue, running, while its shell is open.
            OpenSsh.Result squeue = client.ssh(null, "squeue -h -o '%i %t %j %N'");
            assertThat(squeue.out()).contains(id + " R pty-test " + m.group(2));

            srun.type("echo CVD=$CUDA_VISIBLE_DEVICES; exit 3\r");
            srun.await("CVD=\\d+\r\n");
            assertThat(srun.exit()).as(srun.screen()).isEqualTo(3);
            assertThat(sacctState(id)).isEqualTo(id + "|FAILED|3:0");
            assertThat(client.ssh(null, "squeue", "-h", "-o", "%i").out().lines()).doesNotContain(Long.toString(id));
        }
    }

    @Test
    void sallocPrintsSlurmsLinesAndTheJobCompletesWhenTheShellExits() throws Exception {
        try (OpenSsh.Typing salloc = client.typing("salloc", "-t", "00:10:00", "--mem=1G")) {
            Matcher pending = salloc.await("salloc: Pending job allocation (\\d+)\r\n");
            long id = Long.parseLong(pending.group(1));
            salloc.await("salloc: Granted job allocation " + id + "\r\n");
            salloc.type("echo in-$SLURM_JOB_ID-alloc\r");
            salloc.await("in-" + id + "-alloc\r\n");
            assertThat(client.ssh(null, "squeue -h -o '%i %t'").out()).contains(id + " R");
            salloc.type("exit\r");
            salloc.await("salloc: Relinquishing job allocation " + id + "\r\n");
            assertThat(salloc.exit()).as(salloc.screen()).isZero();
            assertThat(salloc.screen()).doesNotContain("error");
            assertThat(sacctState(id)).isEqualTo(id + "|COMPLETED|0:0");
        }
    }

    @Test
    void sallocSaysWhileItWaitsAndCtrlCGivesTheAllocationUp() throws Exception {
        String admin = adminToken();
        // The one titan node drained: a job asking for its flavor waits.
        assertThat(api.post("/api/v1/nodes/catie-titan-1/drain", json("reason", "interactive test"), admin).status())
                .isEqualTo(200);
        try (OpenSsh.Typing salloc = client.typing("salloc", "--gres=gpu:titanrtx-24g:1", "-t", "5")) {
            long id = Long.parseLong(salloc.await("salloc: Pending job allocation (\\d+)\r\n").group(1));
            salloc.await("salloc: job " + id + " queued and waiting for resources\r\n");
            salloc.await("salloc: waiting: .+\r\n");
            assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("PENDING");
            salloc.type("\u0003");
            salloc.await("salloc: Job allocation " + id + " has been revoked.\r\n");
            assertThat(salloc.exit()).isEqualTo(1);
            assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("CANCELLED");
        } finally {
            assertThat(api.post("/api/v1/nodes/catie-titan-1/resume", null, admin).status()).isEqualTo(200);
        }
    }

    @Test
    void srunFromThePortalsShellGivesTheShellBackAfterwards() throws Exception {
        try (OpenSsh.Typing shell = client.typing()) {
            shell.await(user + "@vaniila:~\\$ ");
            shell.type("srun --pty bash\r");
            shell.type("echo in-node-$((3*3))\r");
            shell.await("in-node-9\r\n");
            shell.type("exit 4\r");
            // The portal's prompt again, and what is typed next is the portal shell's, not lost to the allocation.
            shell.await("(?s)in-node-9.*" + user + "@vaniila:~\\$ ");
            shell.type("squeue --me\r");
            shell.await("JOBID PARTITION");
            shell.type("exit\r");
            assertThat(shell.exit()).as(shell.screen()).isZero();
        }
    }

    @Test
    void theShellSeesTheClientsWindowSize() throws Exception {
        try (OpenSsh.Typing srun = client.typingOnTerminal(132, 43, "srun", "--pty", "bash")) {
            srun.type("stty size; exit\r");
            srun.await("43 132\r\n");
            assertThat(srun.exit()).as(srun.screen()).isZero();
        }
    }

    @Test
    void aWindowChangeSentByTheSshClientReachesTheShell() throws Exception {
        java.security.KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        g.initialize(255);
        java.security.KeyPair key = g.generateKeyPair();
        assertThat(api.post("/api/v1/ssh-keys", json("publicKey",
                PublicKeyEntry.toString(key.getPublic())), token).status())
                .isEqualTo(201);
        SshClient sshd = SshClient.setUpDefaultClient();
        sshd.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        sshd.start();
        try (ClientSession session = sshd.connect(user, "127.0.0.1", server.port())
                .verify(Duration.ofSeconds(30)).getSession()) {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(30));
            java.io.PipedOutputStream keysTyped = new java.io.PipedOutputStream();
            ByteArrayOutputStream screen = new ByteArrayOutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    super.write(b, off, len);
                }
            };
            try (ChannelExec channel = session.createExecChannel("srun --pty bash")) {
                channel.setUsePty(true);
                channel.setPtyColumns(100);
                channel.setPtyLines(30);
                channel.setIn(new java.io.PipedInputStream(keysTyped));
                channel.setOut(screen);
                channel.setErr(screen);
                channel.open().verify(Duration.ofSeconds(30));
                keysTyped.write("stty size\r".getBytes(StandardCharsets.UTF_8));
                keysTyped.flush();
                awaitScreen(screen, "30 100\r\n");
                channel.sendWindowChange(132, 43);
                Thread.sleep(300);
                keysTyped.write("stty size; exit 5\r".getBytes(StandardCharsets.UTF_8));
                keysTyped.flush();
                awaitScreen(screen, "43 132\r\n");
                channel.waitFor(java.util.EnumSet.of(ClientChannelEvent.CLOSED),
                        Duration.ofSeconds(60));
                assertThat(channel.getExitStatus()).isEqualTo(5);
            }
        } finally {
            sshd.stop();
        }
    }

    @Test
    void aWindowChangeReachesTheShell() throws Exception {
        Caller caller = accounts.caller(user).orElseThrow();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        Terminal terminal = allocations.open(caller, new AllocationRequest(null, null, null, null, null, null, "5"),
                new TerminalSize(100, 30), new TerminalOutput() {
                    @Override
                    public void output(byte[] data) {
                        synchronized (screen) {
                            screen.write(data, 0, data.length);
                        }
                    }

                    @Override
                    public void closed(int exitCode, String why) {
                        closed.complete(exitCode);
                    }
                });
        terminal.input("stty size\r".getBytes(StandardCharsets.UTF_8));
        awaitScreen(screen, "30 100\r\n");
        terminal.resize(new TerminalSize(132, 43));
        terminal.input("stty size\r".getBytes(StandardCharsets.UTF_8));
        awaitScreen(screen, "43 132\r\n");
        terminal.input("exit 7\r".getBytes(StandardCharsets.UTF_8));
        assertThat(closed.get(60, TimeUnit.SECONDS)).isEqualTo(7);
        assertThat(awaitScreen(screen, "salloc: Relinquishing job allocation")).contains("salloc: Granted job allocation");
    }

    private static String awaitScreen(ByteArrayOutputStream screen, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String text;
        do {
            synchronized (screen) {
                text = screen.toString(StandardCharsets.UTF_8);
            }
            if (text.contains(expected)) {
                return text;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("the terminal never showed '" + expected + "'; it shows:\n" + text);
    }

    @Test
    void ctrlCInterruptsTheForegroundProgramAndTheShellSurvives() throws Exception {
        long start = System.nanoTime();
        try (OpenSsh.Typing srun = client.typing("srun", "--pty", "bash")) {
            srun.type("echo ready-$((2*2))\r");
            srun.await("ready-4\r\n");
            srun.type("sleep 100; echo not-$((1+1))-interrupted\r");
            Thread.sleep(1500);
            srun.type("\u0003");
            srun.type("echo alive-$((6*7))\r");
            srun.await("alive-42\r\n");
            assertThat(srun.screen()).contains("^C").doesNotContain("not-2-interrupted");
            srun.type("exit\r");
            assertThat(srun.exit()).as(srun.screen()).isZero();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(90));
    }

    @Test
    void scancelEndsTheSessionWithAMessage() throws Exception {
        try (OpenSsh.Typing srun = client.typing("srun", "--pty", "bash")) {
            srun.type("echo JOB=$SLURM_JOB_ID\r");
            long id = Long.parseLong(srun.await("JOB=(\\d+)\r\n").group(1));
            OpenSsh.Result cancel = client.ssh(null, "scancel", Long.toString(id));
            assertThat(cancel.exit()).as(cancel.toString()).isZero();
            srun.await("srun: error: \\*\\*\\* JOB " + id + " ON \\S+ CANCELLED AT \\S+ \\*\\*\\*");
            assertThat(srun.exit()).isNotZero();
            assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("CANCELLED");
        }
    }

    @Test
    void theWallTimeEndsTheSessionWithSlurmsMessage() throws Exception {
        try (OpenSsh.Typing srun = client.typing("srun", "-t", "0:04", "--pty", "bash")) {
            srun.type("echo JOB=$SLURM_JOB_ID\r");
            long id = Long.parseLong(srun.await("JOB=(\\d+)\r\n").group(1));
            srun.await("srun: error: \\*\\*\\* JOB " + id + " ON \\S+ CANCELLED AT \\S+ DUE TO TIME LIMIT \\*\\*\\*");
            assertThat(srun.exit()).isNotZero();
            assertThat(api.get("/api/v1/jobs/" + id, token).text("state")).isEqualTo("TIMEOUT");
        }
    }

    @Test
    void refusedRequestsSayWhatToChange() throws Exception {
        OpenSsh.Result noCommand = client.ssh(null, "srun", "--pty");
        assertThat(noCommand.exit()).isEqualTo(1);
        assertThat(noCommand.err()).contains("srun: fatal: No command given to execute");
        OpenSsh.Result tooMany = client.ssh(null, "srun", "--gres=gpu:99", "--pty", "bash");
        assertThat(tooMany.exit()).isEqualTo(1);
        assertThat(tooMany.err()).startsWith("srun: error: ").contains("99");
        OpenSsh.Result badTime = client.ssh(null, "salloc", "-t", "soon");
        assertThat(badTime.exit()).isEqualTo(1);
        assertThat(badTime.err()).startsWith("salloc: error: ");
        OpenSsh.Result twoNodes = client.ssh(null, "salloc", "-N", "2");
        assertThat(twoNodes.err()).contains("one node");
    }

    @Test
    void forwardingReachesAPortInsideTheAllocationOnlyForItsOwner() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String rivalToken = orgWithUser(unique("rival"), unique("r"), "USER");
        String rivalName = api.get("/api/v1/me", rivalToken).text("username");
        OpenSsh rival = clientOf(rivalName, rivalToken);
        assertThat(client.forward("127.0.0.1:" + port).exit()).isEqualTo(255);
        try (OpenSsh.Typing srun = client.typing("srun", "--pty", "bash")) {
            srun.type("echo hello-from-the-node > page.txt; python3 -m http.server " + port
                    + " --bind 127.0.0.1 >/dev/null 2>&1 & echo JOB=$SLURM_JOB_ID\r");
            long id = Long.parseLong(srun.await("JOB=(\\d+)\r\n").group(1));
            String page = "";
            for (int i = 0; i < 50 && !page.contains("hello-from-the-node"); i++) {
                Thread.sleep(200);
                page = client.forward("127.0.0.1:" + port, "GET /page.txt HTTP/1.0\r\n\r\n").out();
            }
            assertThat(page).contains("200").contains("hello-from-the-node");

            // Another organisation's user reaches neither the port nor the job.
            OpenSsh.Result theirs = rival.forward("127.0.0.1:" + port, "GET /page.txt HTTP/1.0\r\n\r\n");
            assertThat(theirs.exit()).isEqualTo(255);
            assertThat(theirs.out()).doesNotContain("hello-from-the-node");
            OpenSsh.Result cancel = rival.ssh(null, "scancel", Long.toString(id));
            assertThat(cancel.err()).contains("Invalid job id specified");
            assertThat(rival.ssh(null, "squeue", "-h", "-o", "%i").out()).doesNotContain(Long.toString(id));
            srun.type("exit\r");
            assertThat(srun.exit()).as(srun.screen()).isZero();
        }
        // The server the shell left running in the background ends with the job.
        boolean listening = true;
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (listening && System.nanoTime() < deadline) {
            try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                Thread.sleep(100);
            } catch (java.io.IOException refused) {
                listening = false;
            }
        }
        assertThat(listening).as("the shell's background server outlived its job").isFalse();
        // The agents' terminal stream is for node tokens only: a user's token is refused at the door.
        ApiClient.Response door = api.get("/agent/v1/terminals/" + java.util.UUID.randomUUID(), token);
        assertThat(door.status()).isEqualTo(401);
        assertThat(List.of(door.body())).allMatch(b -> b.contains("node token"));
    }
}
