package fr.catie.vaniila.web;

import java.text.NumberFormat;
import java.util.Locale;

/**
 * Byte counts as people read them, in the page's language: binary units (KiB, MiB... in English; Kio,
 * Mio... in French), one decimal above a kibibyte. Immutable; thread-safe.
 */
public final class FileSizes {

    private static final String[] EN = {"B", "KiB", "MiB", "GiB", "TiB"};
    private static final String[] FR = {"o", "Kio", "Mio", "Gio", "Tio"};

    private final Locale locale;

    public FileSizes(Locale locale) {
        this.locale = locale;
    }

    /** The size with its unit, e.g. {@code 1.5 MiB} or {@code 1,5 Mio}. */
    public String human(long bytes) {
        String[] units = "fr".equals(locale.getLanguage()) ? FR : EN;
        if (bytes < 1024) {
            return bytes + " " + units[0];
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        NumberFormat format = NumberFormat.getNumberInstance(locale);
        format.setMaximumFractionDigits(1);
        format.setMinimumFractionDigits(1);
        return format.format(value) + "\u00a0" + units[unit];
    }
}
