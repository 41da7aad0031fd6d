package fr.catie.vaniila.ssh;

import java.util.ArrayList;
import java.util.List;

/**
 * The line editing of the interactive shell, for a terminal in raw mode: the shell feeds it the
 * characters typed and writes back what it echoes (VT100 sequences). Insert and delete anywhere,
 * arrows, Home/End, Ctrl-A/E/U/K/W, history with up and down, Ctrl-C and Ctrl-D. Not thread-safe: one
 * per session, fed by one thread.
 */
public final class LineEditor {

    /** What a key press completed. */
    public sealed interface Event permits Line, Interrupt, EndOfInput {
    }

    /** Enter: the line typed. */
    public record Line(String text) implements Event {
    }

    /** Ctrl-C: the line is dropped. */
    public record Interrupt() implements Event {
    }

    /** Ctrl-D on an empty line: the user leaves. */
    public record EndOfInput() implements Event {
    }

    static final int MAX_HISTORY = 500;

    private final List<String> history = new ArrayList<>();
    private final StringBuilder line = new StringBuilder();
    private int cursor;
    /** Where up/down is in the history; history.size() is the line being typed. */
    private int historyIndex;
    private String draft = "";
    private int escape; // 0 none, 1 after ESC, 2 after ESC [ (or ESC O)
    private final StringBuilder escapeArg = new StringBuilder();
    private boolean afterCr;

    /** The commands entered so far, oldest first. */
    public List<String> history() {
        return List.copyOf(history);
    }

    /** Feeds one character; appends the echo to {@code echo}; returns the completed event, or null. */
    public Event feed(char c, StringBuilder echo) {
        if (escape == 1) {
            escape = c == '[' || c == 'O' ? 2 : 0;
            escapeArg.setLength(0);
            return null;
        }
        if (escape == 2) {
            if (Character.isDigit(c) || c == ';') {
                escapeArg.append(c);
                return null;
            }
            escape = 0;
            switch (c) {
                case 'A' -> historyMove(-1, echo);
                case 'B' -> historyMove(1, echo);
                case 'C' -> moveTo(Math.min(line.length(), cursor + 1), echo);
                case 'D' -> moveTo(Math.max(0, cursor - 1), echo);
                case 'H' -> moveTo(0, echo);
                case 'F' -> moveTo(line.length(), echo);
                case '~' -> {
                    switch (escapeArg.toString()) {
                        case "3" -> deleteAt(cursor, echo);
                        case "1", "7" -> moveTo(0, echo);
                        case "4", "8" -> moveTo(line.length(), echo);
                        default -> {
                        }
                    }
                }
                default -> {
                }
            }
            return null;
        }
        boolean wasCr = afterCr;
        afterCr = c == '\r';
        switch (c) {
            case '\r' -> {
                return enter(echo);
            }
            case '\n' -> {
                // CR LF from a client counts once.
                return wasCr ? null : enter(echo);
            }
            case 0x1b -> escape = 1;
            case 0x7f, 0x08 -> {
                if (cursor > 0) {
                    int old = cursor;
                    line.deleteCharAt(cursor - 1);
                    cursor--;
                    redraw(old, echo);
                }
            }
            case 0x03 -> {
                echo.append("^C\r\n");
                reset();
                return new Interrupt();
            }
            case 0x04 -> {
                if (line.length() == 0) {
                    return new EndOfInput();
                }
                deleteAt(cursor, echo);
            }
            case 0x01 -> moveTo(0, echo);
            case 0x05 -> moveTo(line.length(), echo);
            case 0x02 -> moveTo(Math.max(0, cursor - 1), echo);
            case 0x06 -> moveTo(Math.min(line.length(), cursor + 1), echo);
            case 0x15 -> {
                int old = cursor;
                line.delete(0, cursor);
                cursor = 0;
                redraw(old, echo);
            }
            case 0x0b -> {
                line.setLength(cursor);
                echo.append("\u001b[K");
            }
            case 0x17 -> {
                int old = cursor;
                int start = cursor;
                while (start > 0 && line.charAt(start - 1) == ' ') {
                    start--;
                }
                while (start > 0 && line.charAt(start - 1) != ' ') {
                    start--;
                }
                line.delete(start, cursor);
                cursor = start;
                redraw(old, echo);
            }
            default -> {
                if (c >= ' ' && c != 0x7f) {
                    int old = cursor;
                    line.insert(cursor, c);
                    cursor++;
                    if (cursor == line.length()) {
                        echo.append(c);
                    } else {
                        redraw(old, echo);
                    }
                }
            }
        }
        return null;
    }

    private Event enter(StringBuilder echo) {
        echo.append("\r\n");
        String text = line.toString();
        if (!text.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(text))) {
            history.add(text);
            if (history.size() > MAX_HISTORY) {
                history.remove(0);
            }
        }
        reset();
        return new Line(text);
    }

    private void reset() {
        line.setLength(0);
        cursor = 0;
        historyIndex = history.size();
        draft = "";
    }

    private void historyMove(int delta, StringBuilder echo) {
        int target = historyIndex + delta;
        if (target < 0 || target > history.size()) {
            return;
        }
        if (historyIndex == history.size()) {
            draft = line.toString();
        }
        historyIndex = target;
        int old = cursor;
        line.setLength(0);
        line.append(target == history.size() ? draft : history.get(target));
        cursor = line.length();
        redraw(old, echo);
    }

    private void deleteAt(int at, StringBuilder echo) {
        if (at < line.length()) {
            line.deleteCharAt(at);
            redraw(cursor, echo);
        }
    }

    private void moveTo(int target, StringBuilder echo) {
        if (target < cursor) {
            echo.append("\u001b[").append(cursor - target).append('D');
        } else if (target > cursor) {
            echo.append("\u001b[").append(target - cursor).append('C');
        }
        cursor = target;
    }

    /** Rewrites the line from its start, the terminal's cursor being at {@code oldCursor}. */
    private void redraw(int oldCursor, StringBuilder echo) {
        if (oldCursor > 0) {
            echo.append("\u001b[").append(oldCursor).append('D');
        }
        echo.append(line).append("\u001b[K");
        int back = line.length() - cursor;
        if (back > 0) {
            echo.append("\u001b[").append(back).append('D');
        }
    }
}
