package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import fr.catie.vaniila.accounting.Accounting;
import org.junit.jupiter.api.Test;

class UsageCsvTest {

    @Test
    void writesAHeaderAndOneCrlfLinePerRowWithDotDecimals() {
        String csv = UsageCsv.write(List.of(
                new Accounting.UsageRow("acme", "2026-11", "v100-16g", 3, 1.5, null, 12.25),
                new Accounting.UsageRow("beta", "2026-11", "cpu", 1, 0, 0.0, 0.000123)));
        assertThat(csv).isEqualTo(UsageCsv.HEADER + "\r\n"
                + "acme,2026-11,v100-16g,3,1.500000,,12.250000\r\n"
                + "beta,2026-11,cpu,1,0.000000,0.000000,0.000123\r\n");
    }

    @Test
    void quotesCellsWithSeparatorsQuotesAndLineBreaks() {
        assertThat(UsageCsv.cell("a,b")).isEqualTo("\"a,b\"");
        assertThat(UsageCsv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(UsageCsv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(UsageCsv.cell("plain")).isEqualTo("plain");
        assertThat(UsageCsv.cell(null)).isEmpty();
    }

    @Test
    void neutralisesCellsASpreadsheetWouldRunAsFormulas() {
        assertThat(UsageCsv.cell("=cmd()")).isEqualTo("'=cmd()");
        assertThat(UsageCsv.cell("+1")).isEqualTo("'+1");
        assertThat(UsageCsv.cell("@sum")).isEqualTo("'@sum");
        assertThat(UsageCsv.cell("-x,y")).isEqualTo("\"'-x,y\"");
    }

    @Test
    void numbersIgnoreTheDefaultLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.FRANCE);
            assertThat(UsageCsv.number(2.5)).isEqualTo("2.500000");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }
}
