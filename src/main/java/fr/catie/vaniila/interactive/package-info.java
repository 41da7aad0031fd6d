/**
 * Interactive terminals: a shell with a real PTY inside an interactive job's allocation, relayed
 * through the node's agent, and shared by SSH's {@code srun --pty}/{@code salloc} and the web
 * terminal. Both front ends see only {@link fr.catie.vaniila.interactive.Terminal} and
 * {@link fr.catie.vaniila.interactive.TerminalOutput}, so the relay is written once.
 */
package fr.catie.vaniila.interactive;
