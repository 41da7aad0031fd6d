package fr.catie.vaniila.web;

import fr.catie.vaniila.wording.Wording;

/**
 * What the web terminal says when its allocation form is refused before any job, or when the terminal cannot open,
 * in English; the French is in messages-terminal_fr.properties under {@code refusal.terminal.<NAME>}.
 */
enum TerminalRefusal implements Wording {
    GPUS_RANGE("GPUs must be a whole number from {0} to {1}, not '{2}'."),
    CORES_RANGE("Cores must be a whole number from {0} to {1}, not '{2}'."),
    MEMORY_RANGE("Memory must be a whole number from {0} to {1}, not '{2}'."),
    WALLTIME("Wall time '{0}' is not a Slurm time: write minutes (30), hours:minutes:seconds (01:00:00) or "
            + "days-hours:minutes:seconds (1-00:00:00)."),
    NO_ALLOCATIONS("Interactive allocations are not available on this portal: open the command shell and submit a "
            + "batch job with sbatch instead."),
    UNKNOWN_MODE("Unknown terminal mode '{0}': choose 'shell' or 'allocation'."),
    NOT_JSON("The page sent a message that is not JSON: reload the page."),
    UNKNOWN_MESSAGE("Unknown message type '{0}': the page and the portal differ in version; reload the page."),
    ALREADY_OPEN("This connection has its terminal already: reload the page for another one."),
    /** {0} is what failed, in the words of the part that failed. */
    COULD_NOT_OPEN("The terminal could not open ({0}); try again, and tell the platform admins if it keeps failing.");

    private final String english;

    TerminalRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.terminal." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
