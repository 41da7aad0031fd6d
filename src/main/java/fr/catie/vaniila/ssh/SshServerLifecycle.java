package fr.catie.vaniila.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.files.Workspaces;
import fr.catie.vaniila.identity.Accounts;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.LoginThrottle;
import fr.catie.vaniila.identity.PasswordLogins;
import fr.catie.vaniila.interactive.InteractiveAllocations;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.platform.VaniilaProperties;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.scp.server.ScpCommandFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The portal's SSH server (Apache SSHD): Slurm-compatible commands and an interactive shell, SFTP and
 * SCP rooted at the user's workspace, local forwarding to the user's own interactive jobs only.
 * Logins by public key against the keys users manage in the portal ({@link SshKeys}); passwords only
 * when {@code vaniila.ssh.password-authentication} is on. Failed attempts are throttled per address
 * and user ({@link LoginThrottle}); logins and commands go to the audit log. Host keys (ed25519 and
 * RSA) are generated on the first start under {@code vaniila.home/ssh} and kept. Thread-safe.
 */
@Component
public class SshServerLifecycle implements SmartLifecycle {

    /** The caller a session authenticated as, set once its login succeeded. */
    public static final AttributeRepository.AttributeKey<Caller> CALLER = new AttributeRepository.AttributeKey<>();
    /** The fingerprint of the key a session logged in with, for the audit log. */
    static final AttributeRepository.AttributeKey<String> KEY = new AttributeRepository.AttributeKey<>();

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SshServerLifecycle.class);

    private final SshSettings settings;
    private final Path hostKeys;
    private final SshKeys keys;
    private final Accounts accounts;
    private final LoginThrottle throttle;
    private final PasswordLogins passwords;
    private final AuditLog audit;
    private final Workspaces workspaces;
    private final SlurmCommands commands;
    private final Jobs jobs;
    private final InteractiveAllocations allocations;
    private final fr.catie.vaniila.nodes.Nodes nodes;
    private final ObjectProvider<ForegroundCommands> foreground;
    private volatile SshServer server;
    private volatile ExecutorService pool;

    public SshServerLifecycle(SshSettings settings, VaniilaProperties properties, SshKeys keys, Accounts accounts,
            LoginThrottle throttle, PasswordLogins passwords, AuditLog audit, Workspaces workspaces,
            SlurmCommands commands, Jobs jobs, InteractiveAllocations allocations, fr.catie.vaniila.nodes.Nodes nodes,
            ObjectProvider<ForegroundCommands> foreground) {
        this.settings = settings;
        this.hostKeys = properties.home().resolve("ssh");
        this.keys = keys;
        this.accounts = accounts;
        this.throttle = throttle;
        this.passwords = passwords;
        this.audit = audit;
        this.workspaces = workspaces;
        this.commands = commands;
        this.jobs = jobs;
        this.allocations = allocations;
        this.nodes = nodes;
        this.foreground = foreground;
    }

    /** The port the server listens on, once started (the chosen one when configured as 0); -1 before. */
    public int port() {
        SshServer s = server;
        return s == null || !s.isStarted() ? -1 : s.getPort();
    }

    @Override
    public synchronized void start() {
        if (!settings.enabled() || server != null) {
            return;
        }
        AtomicInteger threads = new AtomicInteger();
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "ssh-command-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SshServer s = SshServer.setUpDefaultServer();
        s.setHost(settings.bindAddress());
        s.setPort(settings.port());
        s.setKeyPairProvider(hostKeyProvider());
        s.setPublickeyAuthenticator(this::keyLogin);
        s.setPasswordAuthenticator(settings.passwordAuthentication() ? this::passwordLogin : null);
        s.setKeyboardInteractiveAuthenticator(null);
        s.setGSSAuthenticator(null);
        s.setHostBasedAuthenticator(null);
        s.addSessionListener(new SessionListener() {
            @Override
            public void sessionEvent(Session session, Event event) {
                if (event == Event.Authenticated && session instanceof ServerSession ss) {
                    loggedIn(ss);
                }
            }
        });
        s.setFileSystemFactory(new VirtualFileSystemFactory() {
            @Override
            public Path getUserHomeDir(SessionContext session) throws IOException {
                Caller caller = session.getAttribute(CALLER);
                if (caller == null) {
                    throw new IOException("not logged in");
                }
                return workspaceOf(caller);
            }
        });
        WorkspaceFiles files = new WorkspaceFiles();
        long quota = settings.workspaceQuota().toBytes();
        s.setSubsystemFactories(List.of(new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new WorkspaceSftp(files, quota)).build()));
        s.setCommandFactory(new ScpCommandFactory.Builder()
                .withFileOpener(new WorkspaceScp(files, quota))
                .withDelegate((channel, line) -> new SlurmExec(line, commands, audit, allocations, pool))
                .build());
        s.setShellFactory(channel -> new SlurmShell(commands, audit, allocations, foreground.getIfAvailable(), pool));
        s.setForwardingFilter(new JobPortForwarding(jobs, nodes, audit));
        try {
            s.start();
        } catch (IOException e) {
            pool.shutdownNow();
            throw new IllegalStateException("The SSH server cannot listen on " + settings.bindAddress() + ":"
                    + settings.port() + " (" + e.getMessage() + "): free the port or set vaniila.ssh.port to another "
                    + "one (0 picks a free port; vaniila.ssh.enabled=false turns SSH off)", e);
        }
        server = s;
        log.info("SSH server listening on port {} (host keys in {})", s.getPort(), hostKeys);
    }

    /** The user's workspace, created private to the user when it does not exist yet. */
    private Path workspaceOf(Caller caller) throws IOException {
        return workspaces.create(caller);
    }

    private KeyPairProvider hostKeyProvider() {
        try {
            Files.createDirectories(hostKeys);
            Files.setPosixFilePermissions(hostKeys, WorkspaceFiles.FOLDER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the host key directory " + hostKeys + ": " + e.getMessage(), e);
        }
        SimpleGeneratorHostKeyProvider ed25519 = new SimpleGeneratorHostKeyProvider(hostKeys.resolve("ssh_host_ed25519_key"));
        ed25519.setAlgorithm(org.apache.sshd.common.util.security.SecurityUtils.EDDSA);
        ed25519.setKeySize(255); // the generator needs the curve: 255 bits is Ed25519
        SimpleGeneratorHostKeyProvider rsa = new SimpleGeneratorHostKeyProvider(hostKeys.resolve("ssh_host_rsa_key"));
        rsa.setAlgorithm(KeyUtils.RSA_ALGORITHM);
        rsa.setKeySize(3072);
        return new KeyPairProvider() {
            @Override
            public Iterable<KeyPair> loadKeys(SessionContext session) throws IOException,
                    java.security.GeneralSecurityException {
                List<KeyPair> all = new ArrayList<>();
                ed25519.loadKeys(session).forEach(all::add);
                rsa.loadKeys(session).forEach(all::add);
                return all;
            }
        };
    }

    private boolean keyLogin(String username, PublicKey key, ServerSession session) {
        String address = SessionCommand.address(session);
        Optional<java.time.Duration> locked = throttle.lockedFor(username, address);
        if (locked.isPresent()) {
            // Said once, in words, instead of a bare "Permission denied" that would invite more attempts.
            try {
                session.disconnect(org.apache.sshd.common.SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE,
                        LoginThrottle.message(locked.get()));
            } catch (IOException e) {
                log.debug("could not tell {} about the lockout: {}", address, e.getMessage());
            }
            return false;
        }
        if (keys.matches(username, key)) {
            Optional<Caller> caller = accounts.caller(username);
            if (caller.isPresent()) {
                session.setAttribute(CALLER, caller.get());
                session.setAttribute(KEY, KeyUtils.getFingerPrint(key));
                return true;
            }
        }
        throttle.failed(username, address);
        audit.record(username, null, "login.failed", username, "ssh key " + KeyUtils.getFingerPrint(key), address);
        return false;
    }

    private boolean passwordLogin(String username, String password, ServerSession session) {
        try {
            Caller caller = passwords.login(username, password, SessionCommand.address(session), "ssh");
            session.setAttribute(CALLER, caller);
            session.setAttribute(KEY, "password");
            return true;
        } catch (Problem p) {
            return false;
        }
    }

    private void loggedIn(ServerSession session) {
        Caller caller = session.getAttribute(CALLER);
        if (caller == null) {
            return;
        }
        String address = SessionCommand.address(session);
        String how = session.getAttribute(KEY);
        if (!"password".equals(how)) {
            // Password logins were recorded by PasswordLogins already.
            throttle.succeeded(caller.username(), address);
            audit.record(caller.username(), caller.organisationId().value(), "login", caller.username(),
                    "ssh key " + how, address);
        }
    }

    @Override
    public synchronized void stop() {
        SshServer s = server;
        server = null;
        if (s != null) {
            try {
                s.stop(true);
            } catch (IOException e) {
                log.warn("SSH server did not stop cleanly: {}", e.getMessage());
            }
        }
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        // After the database and the module services, like the web server.
        return Integer.MAX_VALUE - 1000;
    }
}
