package fr.catie.vaniila.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    private static final CommandLine.Spec SPEC = CommandLine.Spec.of("squeue", "me", "user|u:", "noheader|h", "format|o:");

    @Test
    void splitsLikeAShell() {
        assertThat(CommandLine.split("squeue -o '%i %j'  -u \"bob smith\" a\\ b")).containsExactly("squeue", "-o", "%i %j",
                "-u", "bob smith", "a b");
        assertThat(CommandLine.split("sbatch --wrap=\"echo \\\"hi\\\"\"")).containsExactly("sbatch", "--wrap=echo \"hi\"");
        assertThat(CommandLine.split("   ")).isEmpty();
        assertThatThrownBy(() -> CommandLine.split("echo 'oops")).hasMessageContaining("unterminated single quote");
    }

    @Test
    void parsesLongShortAndJoinedOptions() {
        CommandLine.Parsed p = SPEC.parse(List.of("--me", "-hu", "alice", "--format=%i", "-o%j", "extra"), false);
        assertThat(p.has("me")).isTrue();
        assertThat(p.has("noheader")).isTrue();
        assertThat(p.value("user")).isEqualTo("alice");
        assertThat(p.values("format")).containsExactly("%i", "%j");
        assertThat(p.value("format")).isEqualTo("%j");
        assertThat(p.positional()).containsExactly("extra");
    }

    @Test
    void stopsAtTheFirstPositionalWhenAsked() {
        CommandLine.Parsed p = SPEC.parse(List.of("-h", "job.sh", "--me"), true);
        assertThat(p.positional()).containsExactly("job.sh", "--me");
        assertThat(p.has("me")).isFalse();
    }

    @Test
    void unknownOrIncompleteOptionsSayWhatIsWrongAsSlurmDoes() {
        assertThatThrownBy(() -> SPEC.parse(List.of("--bogus"), false))
                .hasMessage("squeue: unrecognized option '--bogus'\nTry \"squeue --help\" for more information");
        assertThatThrownBy(() -> SPEC.parse(List.of("-z"), false)).hasMessageStartingWith("squeue: invalid option -- 'z'");
        assertThatThrownBy(() -> SPEC.parse(List.of("--user"), false))
                .hasMessageStartingWith("squeue: option '--user' requires an argument");
        assertThatThrownBy(() -> SPEC.parse(List.of("--me=yes"), false)).hasMessageContaining("doesn't allow an argument");
    }
}
