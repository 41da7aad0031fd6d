package fr.catie.vaniila.web;

import java.util.List;
import java.util.Locale;

import fr.catie.vaniila.accounting.Accounting;

/**
 * Usage rows as CSV (RFC 4180): a header line, then one line per organisation, month and flavor,
 * lines ended by CRLF. Text cells are quoted when they hold a comma, a quote or a line break, and a
 * cell that a spreadsheet would run as a formula (starting with {@code = + - @}, a tab or a carriage
 * return) is prefixed with a quote mark. Numbers use a dot, whatever the locale. Stateless.
 */
final class UsageCsv {

    static final String HEADER = "organisation,month,flavor,jobs,gpu_hours,used_gpu_hours,core_hours";

    private UsageCsv() {
    }

    static String write(List<Accounting.UsageRow> rows) {
        StringBuilder out = new StringBuilder(HEADER).append("\r\n");
        for (Accounting.UsageRow r : rows) {
            out.append(cell(r.organisation())).append(',')
                    .append(cell(r.month())).append(',')
                    .append(cell(r.flavor())).append(',')
                    .append(r.jobs()).append(',')
                    .append(number(r.gpuHours())).append(',')
                    .append(r.usedGpuHours() == null ? "" : number(r.usedGpuHours())).append(',')
                    .append(number(r.coreHours())).append("\r\n");
        }
        return out.toString();
    }

    /** One text cell, escaped. */
    static String cell(String text) {
        if (text == null) {
            return "";
        }
        String t = text;
        if (!t.isEmpty() && "=+-@\t\r".indexOf(t.charAt(0)) >= 0) {
            t = "'" + t;
        }
        if (t.contains(",") || t.contains("\"") || t.contains("\n") || t.contains("\r")) {
            return "\"" + t.replace("\"", "\"\"") + "\"";
        }
        return t;
    }

    static String number(double d) {
        return String.format(Locale.ROOT, "%.6f", d);
    }
}
