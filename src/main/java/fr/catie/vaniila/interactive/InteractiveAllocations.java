package fr.catie.vaniila.interactive;

import fr.catie.vaniila.identity.Caller;

/**
 * Opens a shell inside a new interactive allocation: submits an interactive job for the caller,
 * reports its waiting on the terminal as {@code salloc} does ("Pending job allocation 42", the
 * pending reason, "Granted job allocation 42"), then relays a real PTY on the job's first node
 * through that node's agent, with the job's environment ({@code CUDA_VISIBLE_DEVICES}, {@code
 * SLURM_JOB_ID}...), as the caller's Unix account, never root. Closing the terminal ends the job;
 * the job ending (wall time, cancel) closes the terminal.
 */
public interface InteractiveAllocations {

    /**
     * Returns at once; waiting and output then arrive through {@code output}.
     *
     * @throws fr.catie.vaniila.platform.Problem when the request is invalid or can never be
     *         satisfied (the same reasons and messages as a batch submission)
     */
    Terminal open(Caller caller, AllocationRequest request, TerminalSize size, TerminalOutput output);
}
