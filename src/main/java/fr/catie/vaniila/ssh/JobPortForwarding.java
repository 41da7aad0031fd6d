package fr.catie.vaniila.ssh;

import java.util.List;

import fr.catie.vaniila.audit.AuditLog;
import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.jobs.JobState;
import fr.catie.vaniila.jobs.JobView;
import fr.catie.vaniila.jobs.Jobs;
import fr.catie.vaniila.nodes.Nodes;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * Which forwardings a session may open: a local forward ({@code ssh -L}) only to an unprivileged
 * port of a node where the caller's own interactive job runs (a notebook on the job's node), the
 * node named by its name, host name or address (the portal connects to what the client names, so a
 * name must resolve on the portal); no remote forward, no agent or X11 forwarding. Every refusal is
 * audited. When the node is the portal's own machine, the port must be listened on by the caller's
 * Unix account, so the portal's HTTP, SSH and database ports stay out of reach. Thread-safe.
 */
final class JobPortForwarding implements ForwardingFilter {

    private final Jobs jobs;
    private final Nodes nodes;
    private final AuditLog audit;

    JobPortForwarding(Jobs jobs, Nodes nodes, AuditLog audit) {
        this.jobs = jobs;
        this.nodes = nodes;
        this.audit = audit;
    }

    @Override
    public boolean canForwardAgent(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canForwardX11(Session session, String requestType) {
        return false;
    }

    @Override
    public boolean canListen(SshdSocketAddress address, Session session) {
        refused(session, "remote forward " + address);
        return false;
    }

    @Override
    public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
        Caller caller = session.getAttribute(SshServerLifecycle.CALLER);
        if (caller != null && type == Type.Direct && allowed(caller, address.getHostName(), address.getPort())) {
            return true;
        }
        refused(session, type + " forward to " + address);
        return false;
    }

    /** Whether the target is an unprivileged port of a node running one of the caller's interactive jobs. */
    boolean allowed(Caller caller, String host, int port) {
        if (port < 1024) {
            return false;
        }
        List<JobView> running = jobs.list(caller, List.of(JobState.RUNNING), caller.username(), null, 1000, 0);
        boolean toAJobNode = running.stream().filter(j -> "INTERACTIVE".equalsIgnoreCase(j.type()))
                .flatMap(j -> j.allocation().stream()).map(JobView.Placement::node).distinct()
                .anyMatch(node -> node.equals(host) || nodes.address(node).map(a -> a.named(host)).orElse(false));
        // A node on the portal's own machine also hosts the portal's ports: only the job's own listener.
        return toAJobNode && (!LocalListeners.isThisMachine(host) || LocalListeners.listenedOnBy(port, caller.uid()));
    }

    private void refused(Session session, String what) {
        Caller caller = session.getAttribute(SshServerLifecycle.CALLER);
        audit.record(caller == null ? session.getUsername() : caller.username(),
                caller == null ? null : caller.organisationId().value(), "ssh.forward-refused", what,
                "forwarding is allowed only to the ports of your own running interactive jobs",
                session.getIoSession().getRemoteAddress().toString());
    }
}
