package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineEditorTest {

    private final LineEditor editor = new LineEditor();
    private final StringBuilder echo = new StringBuilder();

    private List<LineEditor.Event> type(String keys) {
        List<LineEditor.Event> events = new ArrayList<>();
        for (char c : keys.toCharArray()) {
            LineEditor.Event e = editor.feed(c, echo);
            if (e != null) {
                events.add(e);
            }
        }
        return events;
    }

    @Test
    void aTypedLineIsEchoedAndCompletedByEnter() {
        assertThat(type("squeue\r")).containsExactly(new LineEditor.Line("squeue"));
        assertThat(echo.toString()).isEqualTo("squeue\r\n");
        assertThat(type("sinfo\r\n")).containsExactly(new LineEditor.Line("sinfo"));
        assertThat(type("sacct\n")).containsExactly(new LineEditor.Line("sacct"));
    }

    @Test
    void backspaceAndEditingInTheMiddle() {
        assertThat(type("squeuX\u007fe\r")).containsExactly(new LineEditor.Line("squeue"));
        // "sinf", left twice, insert "X", right... then Home, insert "#", End, "o": "#siXnfo"
        assertThat(type("sinf\u001b[D\u001b[DX\u001b[H#\u001b[Fo\r")).containsExactly(new LineEditor.Line("#siXnfo"));
        assertThat(type("one two\u0017three\r")).containsExactly(new LineEditor.Line("one three"));
        assertThat(type("abc\u0001\u000bxyz\r")).containsExactly(new LineEditor.Line("xyz"));
        assertThat(type("abc\u0015z\r")).containsExactly(new LineEditor.Line("z"));
        assertThat(type("abc\u001b[D\u001b[3~\r")).containsExactly(new LineEditor.Line("ab"));
    }

    @Test
    void historyGoesUpAndDownAndKeepsTheDraft() {
        type("first\rsecond\rsecond\r");
        assertThat(editor.history()).containsExactly("first", "second");
        assertThat(type("\u001b[A\u001b[A\r")).containsExactly(new LineEditor.Line("first"));
        assertThat(type("dra\u001b[A\u001b[B\r")).containsExactly(new LineEditor.Line("dra"));
        assertThat(editor.history()).containsExactly("first", "second", "first", "dra");
        // Up stops at the oldest entry; down from there is the second oldest.
        assertThat(type("\u001b[A\u001b[A\u001b[A\u001b[A\u001b[A\u001b[B\r")).containsExactly(new LineEditor.Line("second"));
    }

    @Test
    void ctrlCDropsTheLineAndCtrlDLeavesOnlyOnAnEmptyLine() {
        assertThat(type("scancel 12\u0003")).containsExactly(new LineEditor.Interrupt());
        assertThat(echo.toString()).endsWith("^C\r\n");
        assertThat(type("ab\u0001\u0004\r")).containsExactly(new LineEditor.Line("b"));
        assertThat(type("\u0004")).containsExactly(new LineEditor.EndOfInput());
        assertThat(editor.history()).containsExactly("b");
    }
}
