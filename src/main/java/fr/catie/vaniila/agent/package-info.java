/**
 * The node agent: the program that runs on every node of the cluster (role {@code agent}) and,
 * embedded, inside the portal for the local machine and the demo's virtual nodes.
 *
 * <p>It discovers the node ({@link fr.catie.vaniila.agent.HostDiscovery}, {@link fr.catie.vaniila.agent.NvidiaSmi},
 * {@link fr.catie.vaniila.agent.VirtualGpus}), registers with the portal, long-polls it for commands through a
 * {@link fr.catie.vaniila.agent.PortalLink} (the protocol of {@code docs/agent-protocol.md}), starts job processes
 * ({@link fr.catie.vaniila.agent.JobLauncher}), enforces wall time, ships logs in bounded chunks and keeps every
 * promise it made in a state file so that a restart of the agent or of the portal loses no job and runs none twice.
 *
 * <p>Entry points for other modules: {@link fr.catie.vaniila.agent.NodeAgent#start(AgentConfig, PortalLink)},
 * {@link fr.catie.vaniila.agent.HttpPortalLink}, {@link fr.catie.vaniila.agent.Inventory}. No Spring here: the agent
 * is a plain program so that it starts fast on a node and embeds anywhere.
 */
package fr.catie.vaniila.agent;
