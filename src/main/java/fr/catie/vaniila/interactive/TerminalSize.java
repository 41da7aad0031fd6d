package fr.catie.vaniila.interactive;

/**
 * A terminal window's size in character cells.
 *
 * @param columns 1..1000
 * @param rows    1..1000
 */
public record TerminalSize(int columns, int rows) {

    /** The size when the client gives none, as most terminals open. */
    public static final TerminalSize DEFAULT = new TerminalSize(80, 24);

    public TerminalSize {
        if (columns < 1 || columns > 1000 || rows < 1 || rows > 1000) {
            throw new IllegalArgumentException("A terminal is 1 to 1000 columns and rows, not " + columns + "x" + rows);
        }
    }
}
