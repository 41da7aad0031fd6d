package fr.catie.vaniila.agent;

import java.util.Locale;

/** A job's output stream. */
public enum LogStream {
    STDOUT, STDERR;

    /** The name on the wire ({@code stdout}, {@code stderr}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
