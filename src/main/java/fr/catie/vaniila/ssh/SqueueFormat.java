package fr.catie.vaniila.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A squeue-style output format ({@code "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R"}): literal text and
 * fields written {@code %[.|-][width]letter}, right-justified with the dot, left otherwise, cut to the
 * width when one is given. Immutable; thread-safe.
 */
public final class SqueueFormat {

    /** One piece of a format: literal text, or a field with its letter, width (0: as long as needed) and side. */
    sealed interface Piece permits Literal, Field {
    }

    record Literal(String text) implements Piece {
    }

    record Field(char letter, int width, boolean right) implements Piece {
    }

    private final List<Piece> pieces;

    private SqueueFormat(List<Piece> pieces) {
        this.pieces = List.copyOf(pieces);
    }

    /** Parses a format; an unknown letter (not in {@code known}) is a usage error naming it. */
    public static SqueueFormat parse(String format, String known, String command) {
        List<Piece> pieces = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                literal.append(c);
                continue;
            }
            if (i + 1 < format.length() && format.charAt(i + 1) == '%') {
                literal.append('%');
                i++;
                continue;
            }
            int j = i + 1;
            boolean right = false;
            if (j < format.length() && format.charAt(j) == '.') {
                right = true;
                j++;
            } else if (j < format.length() && format.charAt(j) == '-') {
                j++; // explicitly left-justified, the default
            }
            int start = j;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                j++;
            }
            int width = j > start ? Integer.parseInt(format.substring(start, j)) : 0;
            if (j >= format.length()) {
                throw new CommandLine.UsageError(command + ": error: Invalid format specification: " + format
                        + " (a '%' ends it: give a field letter, e.g. %i)");
            }
            char letter = format.charAt(j);
            if (known.indexOf(letter) < 0) {
                throw new CommandLine.UsageError(command + ": error: Invalid job format specification: " + letter
                        + " (known fields: " + known + ")");
            }
            if (literal.length() > 0) {
                pieces.add(new Literal(literal.toString()));
                literal.setLength(0);
            }
            pieces.add(new Field(letter, width, right));
            i = j;
        }
        if (literal.length() > 0) {
            pieces.add(new Literal(literal.toString()));
        }
        return new SqueueFormat(pieces);
    }

    /** Writes one line, taking each field's text from {@code field}. */
    public String render(Function<Character, String> field) {
        StringBuilder sb = new StringBuilder();
        for (Piece p : pieces) {
            if (p instanceof Literal l) {
                sb.append(l.text());
            } else if (p instanceof Field f) {
                sb.append(fit(field.apply(f.letter()), f.width(), f.right()));
            }
        }
        return sb.toString();
    }

    static String fit(String value, int width, boolean right) {
        String v = value == null ? "" : value;
        if (width <= 0) {
            return v;
        }
        if (v.length() >= width) {
            return v.substring(0, width);
        }
        String pad = " ".repeat(width - v.length());
        return right ? pad + v : v + pad;
    }
}
