/**
 * The SSH side of the portal (Apache SSHD): Slurm-compatible commands ({@code sbatch}, {@code squeue},
 * {@code scancel}, {@code sinfo}, {@code sacct}, {@code scontrol}, {@code sshare}) as {@code ssh host cmd}
 * and in an interactive shell with line editing and history; {@code srun --pty} and {@code salloc}, which
 * relay the channel to a shell on the allocated node ({@link fr.catie.vaniila.interactive.InteractiveAllocations});
 * SFTP and SCP rooted at the user's workspace;
 * local forwarding only to the user's own interactive jobs; logins with the public keys users register
 * in the portal ({@link fr.catie.vaniila.ssh.SshKeys}). An adapter: every command calls the module APIs
 * (jobs, nodes, queues, quotas, accounting) with the session's caller, so tenancy holds as on the web.
 * Entry point: {@link fr.catie.vaniila.ssh.SshServerLifecycle}, started with the Spring context.
 */
package fr.catie.vaniila.ssh;
