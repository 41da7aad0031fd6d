package fr.catie.vaniila.ssh;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import fr.catie.vaniila.files.Workspaces;
import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalIT;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The SSH side with the real OpenSSH client against the portal's server on a free port, over the
 * portal's real jobs (virtual nodes running jobs as processes of the users' own accounts).
 */
class SshIT extends PortalIT {

    @Autowired
    SshServerLifecycle server;

    @Autowired
    Workspaces workspaces;

    @Autowired
    fr.catie.vaniila.audit.AuditLog audit;

    private String org;
    private String user;
    private String token;
    private Path keys;
    private OpenSsh client;

    @BeforeEach
    void aUserWithAKey() throws Exception {
        awaitNodes();
        org = unique("ssh");
        user = unique("u");
        token = orgWithUser(org, user, "USER");
        keys = Files.createTempDirectory("ssh-keys");
        Path key = OpenSsh.keygen(keys, "id");
        ApiClient.Response r = api.post("/api/v1/ssh-keys", json("publicKey", OpenSsh.publicKey(key)), token);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        assertThat(r.text("type")).isEqualTo("ssh-ed25519");
        assertThat(r.text("fingerprint")).startsWith("SHA256:");
        client = new OpenSsh(server.port(), user, key);
    }

    private Path workspace() {
        return workspaces.of(org, user);
    }

    @Test
    void anSbatchScriptRunsAndShowsInSqueueThenInSacct() throws Exception {
        Path local = keys.resolve("train.sh");
        Files.writeString(local, "#!/bin/bash\n#SBATCH --gres=gpu:1 --time=00:05:00\n#SBATCH --job-name=ssh-train\n"
                + "echo gpus=$CUDA_VISIBLE_DEVICES\nsleep 4\necho done\n");
        OpenSsh.Result put = client.sftp("put " + local + " train.sh\n");
        assertThat(put.exit()).as(put.toString()).isZero();

        OpenSsh.Result submitted = client.ssh(null, "sbatch", "--parsable", "train.sh");
        assertThat(submitted.exit()).as(submitted.toString()).isZero();
        assertThat(submitted.out()).matches("\\d+\n");
        long id = Long.parseLong(submitted.out().strip());

        OpenSsh.Result ids = client.ssh(null, "squeue", "-h", "-o", "%i");
        assertThat(ids.exit()).as(ids.toString()).isZero();
        assertThat(ids.out().lines()).contains(Long.toString(id));
        OpenSsh.Result table = client.ssh(null, "squeue", "--me");
        assertThat(table.out()).startsWith("             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n")
                .contains(Long.toString(id)).contains("ssh-trai");

        String line = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            OpenSsh.Result acct = client.ssh(null, "sacct -j " + id + " -n -P --format=JobID,JobName,State,ExitCode,AllocGPUs,Elapsed,GPUHours");
            assertThat(acct.exit()).as(acct.toString()).isZero();
            line = acct.out().strip();
            if (line.contains("|COMPLETED|") || line.contains("|FAILED|")) {
                break;
            }
            Thread.sleep(500);
        }
        assertThat(line).startsWith(id + "|ssh-train|COMPLETED|0:0|1|00:00:");
        String[] fields = line.split("\\|");
        assertThat(Double.parseDouble(fields[6])).isGreaterThan(0).isLessThan(0.1);
        awaitLog(token, id, "stdout", 0, "done");
        assertThat(client.ssh(null, "squeue", "-h", "-o", "%i").out().lines()).doesNotContain(Long.toString(id));
        OpenSsh.Result show = client.ssh(null, "scontrol", "show", "job", Long.toString(id));
        assertThat(show.out()).contains("JobId=" + id + " JobName=ssh-train", "JobState=COMPLETED", "TimeLimit=00:05:00",
                "TRES=gres/gpu=1");
        // What it used, in seff's words (the figures themselves: JobsIT and SeffTest).
        OpenSsh.Result seff = client.ssh(null, "seff", Long.toString(id));
        assertThat(seff.exit()).as(seff.toString()).isZero();
        assertThat(seff.out()).startsWith("Job ID: " + id + "\nCluster: vaniila\nUser/Group: " + user + "/")
                .contains("State: COMPLETED (exit code 0)\nNodes: 1\nCores per node: 1\n")
                .containsAnyOf("CPU Efficiency: ", "Efficiency not measured");
    }

    @Test
    void sbatchReadsOptionsFromTheCommandLineAndStdinAndSaysWhatIsWrong() throws Exception {
        OpenSsh.Result wrapped = client.ssh(null, "sbatch", "--hold", "--wrap='echo hi'", "-J", "wrapped");
        assertThat(wrapped.exit()).as(wrapped.toString()).isZero();
        assertThat(wrapped.out()).matches("Submitted batch job \\d+\n");
        long id = Long.parseLong(wrapped.out().replaceAll("\\D", ""));
        assertThat(client.ssh(null, "squeue -h -j " + id + " -o '%i %j %t %R'").out()).isEqualTo(id + " wrapped PD (JobHeldUser)\n");
        assertThat(client.ssh(null, "scontrol", "release", Long.toString(id)).exit()).isZero();

        OpenSsh.Result piped = client.ssh("#!/bin/bash\n#SBATCH --gpus=1\n#SBATCH --mem-per-gpu=2G\nhostname\n", "sbatch",
                "--parsable", "--hold");
        assertThat(piped.exit()).as(piped.toString()).isZero();
        long pipedId = Long.parseLong(piped.out().strip());
        assertThat(api.get("/api/v1/jobs/" + pipedId, token).json().get("gpusPerNode").asInt()).isEqualTo(1);

        OpenSsh.Result tooBig = client.ssh(null, "sbatch", "--gres=gpu:99", "--wrap=hostname");
        assertThat(tooBig.exit()).isEqualTo(1);
        assertThat(tooBig.err()).startsWith("sbatch: error: ").contains("99");
        OpenSsh.Result badTime = client.ssh(null, "sbatch", "--time=soon", "--wrap=hostname");
        assertThat(badTime.exit()).isEqualTo(1);
        assertThat(badTime.err()).startsWith("sbatch: error: ");
        OpenSsh.Result unknown = client.ssh(null, "sbatch", "--frobnicate", "--wrap=hostname");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("sbatch: unrecognized option '--frobnicate'");
        OpenSsh.Result missing = client.ssh(null, "sbatch", "nothere.sh");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Unable to open file nothere.sh");
        OpenSsh.Result notACommand = client.ssh(null, "rm", "-rf", "/");
        assertThat(notACommand.exit()).isEqualTo(127);
        assertThat(notACommand.err()).contains("command not found");
    }

    @Test
    void clusterViewsListPartitionsNodesAndQuota() throws Exception {
        OpenSsh.Result sinfo = client.ssh(null, "sinfo");
        assertThat(sinfo.exit()).as(sinfo.toString()).isZero();
        assertThat(sinfo.out()).startsWith("PARTITION").contains("gpu:");
        OpenSsh.Result nodes = client.ssh(null, "sinfo", "-N", "-h");
        assertThat(nodes.out().lines().count()).isGreaterThanOrEqualTo(7);
        OpenSsh.Result node = client.ssh(null, "scontrol", "show", "partition");
        assertThat(node.out()).contains("PartitionName=");
        // Each node says how its agent holds jobs (the portal's in-process agents: this machine's cgroups, if any).
        OpenSsh.Result shown = client.ssh(null, "scontrol", "show", "node");
        assertThat(shown.exit()).as(shown.toString()).isZero();
        assertThat(shown.out()).containsPattern("JobLimits=(cgroup-v2|cgroup-v1|none)\\b")
                .doesNotContain("JobLimits=unknown").doesNotContain("GpuIsolation=");
        OpenSsh.Result share = client.ssh(null, "sshare");
        assertThat(share.exit()).as(share.toString()).isZero();
        assertThat(share.out()).contains(org).contains("GPU-hours this month");
        assertThat(client.ssh(null, "help").out()).contains("sbatch", "squeue", "sacct");
        assertThat(audit.latest(null, 200)).anyMatch(e -> e.action().equals("login") && user.equals(e.actor())
                && e.detail().startsWith("ssh key SHA256:"))
                .anyMatch(e -> e.action().equals("ssh.command") && user.equals(e.actor()) && e.detail().equals("sshare"));
    }

    @Test
    void anotherOrganisationsJobCannotBeCancelledNorItsUseRead() throws Exception {
        String otherToken = orgWithUser(unique("rival"), unique("r"), "USER");
        long theirs = submit(otherToken, json("script", "#!/bin/bash\nsleep 60", "hold", true));
        OpenSsh.Result cancel = client.ssh(null, "scancel", Long.toString(theirs));
        assertThat(cancel.exit()).isEqualTo(1);
        assertThat(cancel.err()).contains("Kill job error on job id " + theirs + ": Invalid job id specified");
        assertThat(api.get("/api/v1/jobs/" + theirs, otherToken).text("state")).isEqualTo("HELD");
        assertThat(client.ssh(null, "squeue", "-h", "-o", "%i", "-t", "all").out()).doesNotContain(Long.toString(theirs));
        assertThat(client.ssh(null, "scancel", "-u", "anyone").exit()).isZero();
        assertThat(api.get("/api/v1/jobs/" + theirs, otherToken).text("state")).isEqualTo("HELD");

        OpenSsh.Result seff = client.ssh(null, "seff", Long.toString(theirs));
        assertThat(seff.exit()).isEqualTo(1);
        assertThat(seff.err()).contains("slurm_load_jobs error: Invalid job id specified");
        assertThat(seff.out()).doesNotContain("Job ID");

        long mine = Long.parseLong(client.ssh(null, "sbatch --parsable --hold --wrap=hostname").out().strip());
        assertThat(client.ssh(null, "scancel", Long.toString(mine)).exit()).isZero();
        assertThat(api.get("/api/v1/jobs/" + mine, token).text("state")).isEqualTo("CANCELLED");
    }

    @Test
    void unknownAndDeletedKeysAreRefusedAndWeakKeysCannotBeRegistered() throws Exception {
        Path stranger = OpenSsh.keygen(keys, "stranger");
        OpenSsh.Result refused = new OpenSsh(server.port(), user, stranger).ssh(null, "squeue");
        assertThat(refused.exit()).isEqualTo(255);
        assertThat(refused.err()).contains("Permission denied");
        assertThat(new OpenSsh(server.port(), "nobody-" + user, stranger).ssh(null, "squeue").exit()).isEqualTo(255);

        Path weak = OpenSsh.keygen(keys, "weak", "-t", "rsa", "-b", "1024");
        ApiClient.Response r = api.post("/api/v1/ssh-keys", json("publicKey", OpenSsh.publicKey(weak)), token);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("detail")).contains("1024 bits").contains("at least 2048");
        r = api.post("/api/v1/ssh-keys", json("publicKey", "ssh-ed25519 AAAAnot-base64"), token);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text("detail")).contains("not an OpenSSH public key");

        ApiClient.Response list = api.get("/api/v1/ssh-keys", token);
        assertThat(list.json().size()).isEqualTo(1);
        long id = list.json().get(0).get("id").asLong();
        assertThat(api.delete("/api/v1/ssh-keys/" + id, token).status()).isEqualTo(204);
        assertThat(client.ssh(null, "squeue").exit()).isEqualTo(255);
    }

    @Test
    void failedKeyAttemptsLockTheUserOutFromThatAddressAndPasswordsAreOff() throws Exception {
        Path stranger = OpenSsh.keygen(keys, "guesser");
        OpenSsh guesser = new OpenSsh(server.port(), user, stranger);
        for (int i = 0; i < 5; i++) {
            assertThat(guesser.ssh(null, "squeue").exit()).isEqualTo(255);
        }
        // Locked out for 15 minutes from this address: even the right key is refused now.
        OpenSsh.Result locked = client.ssh(null, "squeue");
        assertThat(locked.exit()).isEqualTo(255);
        assertThat(locked.err()).contains("Too many failed logins: try again in 15 minutes.");
        assertThat(audit.latest(null, 200)).filteredOn(e -> e.action().equals("login.failed") && user.equals(e.actor()))
                .hasSizeGreaterThanOrEqualTo(5);

        OpenSsh.Result password = OpenSsh.run(java.util.List.of("ssh", "-p", Integer.toString(server.port()), "-o",
                "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-F", "/dev/null",
                "-o", "PreferredAuthentications=password,keyboard-interactive", "-v", unique("p") + "@127.0.0.1", "true"),
                null);
        assertThat(password.exit()).isEqualTo(255);
        assertThat(password.err().lines().filter(l -> l.contains("Authentications that can continue")).toList())
                .isNotEmpty().allMatch(l -> l.strip().endsWith("continue: publickey"));
    }

    @Test
    void sftpPutsAndGetsPrivatelyInsideTheWorkspaceOnly() throws Exception {
        Path local = keys.resolve("data.csv");
        Files.writeString(local, "a,b\n1,2\n");
        Path back = keys.resolve("back.csv");
        OpenSsh.Result ok = client.sftp("mkdir data\nput " + local + " data/data.csv\nget data/data.csv " + back + "\nls data\n");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(Files.readString(back)).isEqualTo("a,b\n1,2\n");
        Path dir = workspace().resolve("data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data.csv")))).isEqualTo("rw-------");
        int uid = api.get("/api/v1/me", token).json().get("uid").asInt();
        assertThat(Files.getAttribute(dir.resolve("data.csv"), "unix:uid")).isEqualTo(uid);

        assertThat(client.sftp("get ../../../../etc/passwd " + keys.resolve("p1") + "\n").exit()).isEqualTo(1);
        assertThat(client.sftp("get /etc/passwd " + keys.resolve("p2") + "\n").exit()).isEqualTo(1);
        // As in a chroot, ".." at the top of the workspace is the top itself.
        assertThat(client.sftp("put " + local + " ../../escaped.csv\n").exit()).isZero();
        assertThat(Files.exists(workspace().resolve("escaped.csv"))).isTrue();
        assertThat(Files.exists(workspace().getParent().resolve("escaped.csv"))).isFalse();
        assertThat(Files.exists(workspace().getParent().getParent().resolve("escaped.csv"))).isFalse();

        Files.createSymbolicLink(workspace().resolve("etc"), Path.of("/etc"));
        assertThat(client.sftp("get etc/passwd " + keys.resolve("p3") + "\n").exit()).isEqualTo(1);
        OpenSsh.Result listing = client.sftp("-ls etc/\n-ls -l etc/passwd\n-ls etc\n");
        // sftp echoes each command after "sftp> "; what the server answered is on the other lines.
        assertThat(listing.out().lines().filter(l -> !l.startsWith("sftp>")))
                .noneMatch(l -> l.contains("passwd") || l.contains("shadow") || l.contains("hostname"));
        assertThat(client.sftp("put " + local + " etc/planted\n").exit()).isEqualTo(1);
        assertThat(Files.exists(Path.of("/etc/planted"))).isFalse();
        assertThat(client.sftp("symlink /etc link\n").exit()).isEqualTo(1);
        assertThat(Files.exists(keys.resolve("p1")) || Files.exists(keys.resolve("p2")) || Files.exists(keys.resolve("p3")))
                .isFalse();

        OpenSsh.Result scp = client.scpTo(true, local, "copied.csv");
        assertThat(scp.exit()).as(scp.toString()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(workspace().resolve("copied.csv"))))
                .isEqualTo("rw-------");
        assertThat(client.scpTo(true, local, "../../outside.csv").exit()).isZero();
        assertThat(Files.exists(workspace().resolve("outside.csv"))).isTrue();
        assertThat(Files.exists(workspace().getParent().resolve("outside.csv"))).isFalse();
        assertThat(Files.exists(workspace().getParent().getParent().resolve("outside.csv"))).isFalse();
        assertThat(client.scpTo(false, local, "etc/planted2").exit()).isNotZero();
        assertThat(client.scpTo(true, local, "etc/planted3").exit()).isNotZero();
        assertThat(Files.exists(Path.of("/etc/planted2")) || Files.exists(Path.of("/etc/planted3"))).isFalse();
    }

    @Test
    void uploadsStopAtTheWorkspaceQuota() throws Exception {
        // The tests' portal sets vaniila.ssh.workspace-quota=8MB.
        Path small = keys.resolve("small.bin");
        Files.write(small, new byte[3 << 20]);
        Path big = keys.resolve("big.bin");
        Files.write(big, new byte[6 << 20]);
        assertThat(client.sftp("put " + small + " a.bin\nput " + small + " b.bin\n").exit()).isZero();
        OpenSsh.Result over = client.sftp("put " + big + " c.bin\n");
        assertThat(over.exit()).as(over.toString()).isEqualTo(1);
        assertThat(Files.size(workspace().resolve("c.bin"))).isLessThanOrEqualTo(2L << 20);
        OpenSsh.Result scp = client.scpTo(true, big, "d.bin");
        assertThat(scp.exit()).isNotZero();
        assertThat(scp.err()).contains("workspace quota of 8.0 MiB reached");
        assertThat(Files.exists(workspace().resolve("d.bin"))).isFalse();
        assertThat(client.sftp("rm c.bin\nrm b.bin\nput " + small + " e.bin\n").exit()).isZero();
    }

    @Test
    void theInteractiveShellEditsLinesAndKeepsHistory() throws Exception {
        // "squeuX", backspace, "e -h --me", enter; then up-arrow and enter runs it again; then Ctrl-D.
        OpenSsh.Result r = client.shell("squeuX\u007fe --me\r\u001b[A\rhistory\r\u0004");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(user + "@vaniila:~$ ");
        assertThat(r.out().split("JOBID", -1)).hasSize(3);
        assertThat(r.out()).contains("    1  squeue --me").contains("    2  history").contains("logout");
    }

    @Test
    void forwardingIsRefusedWithoutAnInteractiveJob() throws Exception {
        OpenSsh.Result r = client.forward("127.0.0.1:" + port);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("forwarding failed");
        assertThat(audit.latest(null, 50)).anyMatch(e -> e.action().equals("ssh.forward-refused") && user.equals(e.actor())
                && e.target().contains(":" + port));
    }
}
