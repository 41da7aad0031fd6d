package fr.catie.vaniila.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import fr.catie.vaniila.scheduler.PreemptionReason;
import fr.catie.vaniila.web.PhraseBook;
import fr.catie.vaniila.wording.Phrase;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;

/**
 * Why a job ended and its timeline as phrases: the English is word for word what the REST API and SSH said before
 * (scripts and tests read it), the French is what a French page says, and the phrase survives its JSON column.
 */
class EndReasonTest {

    private static final PhraseBook BOOK = new PhraseBook(bundles());

    static ResourceBundleMessageSource bundles() {
        ResourceBundleMessageSource m = new ResourceBundleMessageSource();
        m.setBasenames("messages", "messages-jobs");
        m.setDefaultEncoding("UTF-8");
        m.setFallbackToSystemLocale(false);
        return m;
    }

    private static String french(Phrase p) {
        return BOOK.say(p, Locale.FRENCH);
    }

    @Test
    void anExitCodeReadsAsBeforeInEnglishAndInFrenchOnFrenchPages() {
        assertThat(JobControl.exitReason(0, Optional.empty()).english()).isEqualTo("exit code 0");
        assertThat(JobControl.exitReason(1, Optional.empty()).english()).isEqualTo("exit code 1");
        assertThat(JobControl.exitReason(null, Optional.empty()).english()).isEqualTo("exit code null");
        assertThat(french(JobControl.exitReason(1, Optional.empty()))).isEqualTo("code de sortie 1");
    }

    @Test
    void aProcessKilledAtItsMemoryLimitSaysWhichLimitAndWhatToAskFor() {
        Optional<Map<String, Object>> killed = Optional.of(Map.of("memory_mb", 2048L));
        assertThat(JobControl.exitReason(137, killed).english()).isEqualTo("exit code 137; a process of the job was "
                + "killed for going over its 2048 MiB of memory on its node: ask for more memory per node (--mem, or "
                + "\"Memory per node\" on the form)");
        assertThat(JobControl.exitReason(0, killed).english()).startsWith("exit code 0; a process of the job was killed");
        assertThat(french(JobControl.exitReason(137, killed))).isEqualTo("code de sortie 137 ; un processus de la tâche "
                + "a été tué pour avoir dépassé ses 2048 Mio de mémoire sur son nœud : demandez plus de mémoire par nœud "
                + "(--mem, ou « Mémoire par nœud » dans le formulaire)");
    }

    @Test
    void aStopAskedForSaysWhoAskedInsideTheTimelinesSentence() {
        Phrase stop = Phrase.of(TimelineDetail.STOP_REQUESTED, Phrase.of(EndReason.CANCELLED_BY, "alice"));
        assertThat(stop.english()).isEqualTo("stop requested: cancelled by alice");
        assertThat(french(stop)).isEqualTo("arrêt demandé : annulée par alice");
        Phrase preemption = Phrase.of(TimelineDetail.PREEMPTION, Phrase.of(PreemptionReason.REQUEUED,
                Phrase.of(PreemptionReason.LAS, 12)));
        assertThat(preemption.english())
                .isEqualTo("preemption: preempted and requeued: job 12 has received less GPU time (least attained "
                        + "service first)");
        assertThat(french(preemption)).startsWith("préemption : préemptée et remise en file : la tâche 12 a reçu");
    }

    @Test
    void aLaunchFailureKeepsTheAgentsOwnWordsAsTheyCame() {
        Phrase failed = Phrase.of(EndReason.LAUNCH_FAILED, "node-1", "no such user 'bob'");
        assertThat(failed.english()).isEqualTo("launch failed on node-1: no such user 'bob'");
        assertThat(french(failed)).isEqualTo("échec du lancement sur node-1 : no such user 'bob'");
    }

    @Test
    void howTheSchedulerStartedARunReadsAsBefore() {
        assertThat(TimelineDetail.started(false, false).english()).isEqualTo("scheduled");
        assertThat(TimelineDetail.started(true, false).english()).isEqualTo("backfilled");
        assertThat(TimelineDetail.started(false, true).english()).isEqualTo("scheduled, borrowing idle GPUs");
        assertThat(TimelineDetail.started(true, true).english()).isEqualTo("backfilled, borrowing idle GPUs");
    }

    @Test
    void aPhraseComesBackFromItsColumnOnlyWhileItReadsAsTheEnglishBesideIt() {
        Phrase stop = Phrase.of(TimelineDetail.STOP_REQUESTED, Phrase.of(EndReason.CANCELLED_BY, "alice"));
        String stored = PhraseColumn.write(stop);
        assertThat(PhraseColumn.read(stored, "stop requested: cancelled by alice")).isEqualTo(stop);
        // Another English beside it: the row was changed without its phrase; the pages then say the English.
        assertThat(PhraseColumn.read(stored, "stop requested: cancelled by bob")).isNull();
        assertThat(PhraseColumn.read(null, "exit code 1")).as("a row written before the column").isNull();
        assertThat(PhraseColumn.read("{not json", "exit code 1")).isNull();
        assertThat(PhraseColumn.readOrEnglish(null, "exit code 1")).isEqualTo(Phrase.english("exit code 1"));
        assertThat(PhraseColumn.readOrEnglish(null, null)).isNull();
        // English only: its text column already says all of it.
        assertThat(PhraseColumn.write(Phrase.english("node-1 stopped answering"))).isNull();
        assertThat(PhraseColumn.write(null)).isNull();
        assertThat(PhraseColumn.english(null)).isNull();
    }
}
