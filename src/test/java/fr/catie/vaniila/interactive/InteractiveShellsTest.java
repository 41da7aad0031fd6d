package fr.catie.vaniila.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The command line an interactive job stores: bash must read back exactly the words srun was given. */
class InteractiveShellsTest {

    @Test
    void wordsAreQuotedOnlyWhenBashWouldSplitOrExpandThem() {
        assertThat(InteractiveShells.commandLine(List.of())).isEqualTo("/bin/bash");
        assertThat(InteractiveShells.commandLine(List.of("python3", "-m", "http.server", "8888")))
                .isEqualTo("python3 -m http.server 8888");
        assertThat(InteractiveShells.commandLine(List.of("bash", "-c", "echo $HOME; ls 'a b'")))
                .isEqualTo("bash -c 'echo $HOME; ls '\\''a b'\\'''");
    }

    @Test
    void theQuotedLineReadsBackAsTheSameWords() throws Exception {
        List<String> words = List.of("printf", "%s|", "it's", "$HOME", "a b", "*", "");
        Process bash = new ProcessBuilder("/bin/bash", "-c", InteractiveShells.commandLine(words)).start();
        String out = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor()).isZero();
        assertThat(out).isEqualTo("it's|$HOME|a b|*||");
    }
}
