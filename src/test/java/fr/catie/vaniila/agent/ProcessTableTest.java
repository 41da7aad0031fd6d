package fr.catie.vaniila.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /proc reading against a real process of this machine. */
class ProcessTableTest {

    @Test
    void aLivingGroupIsSeenWithItsMemoryAndAReusedPidIsNotTakenForIt() throws Exception {
        // setsid makes the sleep the leader of its own group, as the wrapper does for a job.
        Process p = new ProcessBuilder("setsid", "sleep", "30").start();
        try {
            long pid = p.pid();
            Instant start = ProcessTable.startOf(pid).orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<Long, ProcessTable.GroupUsage> usage = Map.of();
            while (usage.isEmpty() && System.nanoTime() < deadline) {
                usage = ProcessTable.usage(Set.of(pid));
            }
            assertEquals(Set.of(pid), usage.keySet(), "sleep leads its own process group");
            assertTrue(usage.get(pid).rssMb() >= 0);
            assertTrue(ProcessTable.alive(pid, start));
            assertTrue(ProcessTable.alive(pid, null));
            assertFalse(ProcessTable.alive(pid, start.minusSeconds(3600)), "another start means another process");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertFalse(ProcessTable.alive(p.pid(), null));
        assertFalse(ProcessTable.alive(1, null), "pid 1 is never a job");
    }
}
