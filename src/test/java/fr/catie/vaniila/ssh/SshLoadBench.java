package fr.catie.vaniila.ssh;

import static fr.catie.vaniila.support.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import fr.catie.vaniila.support.ApiClient;
import fr.catie.vaniila.support.PortalIT;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Bench command (not run by the build: its name ends in neither Test nor IT): 100 SSH sessions open at
 * once, each running {@code squeue} at the same moment, and key logins one after the other, against a
 * whole portal; the same 100 concurrent job listings over the REST API are measured in the same run as
 * the anchor, since the machine is shared and noisy. Prints the numbers; docs/benchmarks/ssh.md has the
 * command and the results. It asserts only that every command worked.
 */
class SshLoadBench extends PortalIT {

    static final int SESSIONS = 100;
    static final int LOGINS = 50;

    @Autowired
    SshServerLifecycle server;

    @Test
    void concurrentSqueueAndKeyLogins() throws Exception {
        awaitNodes();
        String org = unique("bench");
        String user = unique("b");
        String token = orgWithUser(org, user, "USER");
        KeyPairGenerator g = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        g.initialize(255);
        KeyPair key = g.generateKeyPair();
        assertThat(api.post("/api/v1/ssh-keys", json("publicKey", PublicKeyEntry.toString(key.getPublic())), token).status())
                .isEqualTo(201);
        // A queue with something in it: 30 held jobs, so that squeue prints 31 lines.
        for (int i = 0; i < 30; i++) {
            submit(token, json("name", "held-" + i, "script", "#!/bin/bash\nsleep 1", "hold", true));
        }
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        client.start();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try {
            for (int round = 1; round <= 3; round++) {
                List<Long> loginMs = logins(client, user, key);
                List<Long> squeueMs = concurrentSqueue(client, user, key, pool);
                List<Long> restMs = concurrentRest(token, pool);
                System.out.printf(Locale.ROOT, "round %d: key login (SSHD client, sequential %d): p50 %d ms, p95 %d ms%n",
                        round, LOGINS, pct(loginMs, 50), pct(loginMs, 95));
                System.out.printf(Locale.ROOT, "round %d: %d concurrent sessions, squeue each: p50 %d ms, p95 %d ms, max %d ms%n",
                        round, SESSIONS, pct(squeueMs, 50), pct(squeueMs, 95), pct(squeueMs, 100));
                System.out.printf(Locale.ROOT, "round %d: %d concurrent REST GET /api/v1/jobs: p50 %d ms, p95 %d ms; "
                        + "ratio squeue/REST p95 %.2f%n", round, SESSIONS, pct(restMs, 50), pct(restMs, 95),
                        pct(squeueMs, 95) / (double) Math.max(1, pct(restMs, 95)));
            }
            List<Long> openssh = opensshLogins(user, key);
            System.out.printf(Locale.ROOT, "OpenSSH 'ssh host help', whole process, sequential %d: p50 %d ms, p95 %d ms%n",
                    openssh.size(), pct(openssh, 50), pct(openssh, 95));
        } finally {
            pool.shutdownNow();
            client.stop();
        }
    }

    private ClientSession login(SshClient client, String user, KeyPair key) throws Exception {
        ClientSession session = client.connect(user, "127.0.0.1", server.port()).verify(Duration.ofSeconds(30)).getSession();
        session.addPublicKeyIdentity(key);
        session.auth().verify(Duration.ofSeconds(30));
        return session;
    }

    private List<Long> logins(SshClient client, String user, KeyPair key) throws Exception {
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < LOGINS; i++) {
            long t0 = System.nanoTime();
            try (ClientSession s = login(client, user, key)) {
                ms.add((System.nanoTime() - t0) / 1_000_000);
            }
        }
        return ms;
    }

    private List<Long> concurrentSqueue(SshClient client, String user, KeyPair key, ExecutorService pool) throws Exception {
        List<ClientSession> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            sessions.add(login(client, user, key));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (ClientSession s : sessions) {
            results.add(pool.submit(() -> {
                go.await();
                long t0 = System.nanoTime();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ChannelExec ch = s.createExecChannel("squeue")) {
                    ch.setOut(out);
                    ch.setErr(out);
                    ch.open().verify(Duration.ofSeconds(60));
                    ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofSeconds(60));
                    assertThat(ch.getExitStatus()).as(out.toString()).isZero();
                }
                assertThat(out.toString().lines().count()).isEqualTo(31);
                return (System.nanoTime() - t0) / 1_000_000;
            }));
        }
        go.countDown();
        List<Long> ms = new ArrayList<>();
        for (Future<Long> f : results) {
            ms.add(f.get());
        }
        for (ClientSession s : sessions) {
            s.close();
        }
        return ms;
    }

    private List<Long> concurrentRest(String token, ExecutorService pool) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> results = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            results.add(pool.submit((Callable<Long>) () -> {
                ApiClient c = new ApiClient("http://localhost:" + port);
                go.await();
                long t0 = System.nanoTime();
                ApiClient.Response r = c.get("/api/v1/jobs", token);
                assertThat(r.status()).isEqualTo(200);
                return (System.nanoTime() - t0) / 1_000_000;
            }));
        }
        go.countDown();
        List<Long> ms = new ArrayList<>();
        for (Future<Long> f : results) {
            ms.add(f.get());
        }
        return ms;
    }

    private List<Long> opensshLogins(String user, KeyPair key) throws Exception {
        Path dir = Files.createTempDirectory("bench-keys");
        Path k = OpenSsh.keygen(dir, "id");
        assertThat(api.post("/api/v1/ssh-keys", json("publicKey", OpenSsh.publicKey(k)), api.token(user, USER_PASSWORD))
                .status()).isEqualTo(201);
        OpenSsh ssh = new OpenSsh(server.port(), user, k);
        List<Long> ms = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            OpenSsh.Result r = ssh.ssh(null, "help");
            ms.add((System.nanoTime() - t0) / 1_000_000);
            assertThat(r.exit()).as(r.toString()).isZero();
        }
        return ms;
    }

    static long pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
