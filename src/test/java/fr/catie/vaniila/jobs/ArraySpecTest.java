package fr.catie.vaniila.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArraySpecTest {

    @Test
    void anArrayIsWrittenBackAsSlurmWritesItAndReadsTheSame() {
        for (String text : List.of("0-9%2", "1,3,5-7", "4", "0,1", "0-2,4,6-9%10")) {
            ArraySpec spec = ArraySpec.parse(text, 1000);
            assertThat(spec.toString()).as(text).isEqualTo(text);
            assertThat(ArraySpec.parse(spec.toString(), 1000)).as(text).isEqualTo(spec);
        }
        // Steps are not rebuilt, but the indices are the same.
        assertThat(ArraySpec.parse("1-9:2", 1000).toString()).isEqualTo("1,3,5,7,9");
        assertThat(new ArraySpec(List.of(2, 3, 4, 8), 0).toString()).isEqualTo("2-4,8");
    }
}
