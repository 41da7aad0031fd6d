package fr.catie.vaniila.simulator;

/** A trace line the simulator cannot read, with its file and line number and what to change. */
public final class TraceException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The 1-based line number. */
    private final int line;

    /**
     * @param source  the file
     * @param line    the 1-based line number
     * @param message what is wrong and what to change
     */
    public TraceException(String source, int line, String message) {
        super(source + ":" + line + ": " + message);
        this.line = line;
    }

    /** @return the 1-based line number */
    public int line() {
        return line;
    }
}
