package fr.catie.vaniila.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code simulate} role end to end: command line in, summary line and JSON out, clear errors. */
class SimulateCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SimulateCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void writesTheSummaryAndTheJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out.json");
        Path jobs = dir.resolve("jobs.csv");
        int code = run("--trace", SimulationGoldenTest.trace("tiresias-60-jobs.csv").toString(), "--format",
                "tiresias", "--cluster", "catie", "--policy", "fifo-backfill", "--json", json.toString(), "--jobs",
                jobs.toString());
        assertEquals(0, code, err.toString());
        String line = out.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("policy=fifo-backfill jobs=60 rejected=0 completed=60 unfinished=0 "), line);
        String text = Files.readString(json);
        for (String key : new String[] {"jobs", "completed", "avg_jct_s", "p50_jct_s", "p99_jct_s", "avg_wait_s",
            "p99_wait_s", "makespan_s", "gpu_allocation", "fragmentation", "preemptions", "per_org", "cycle_p50_ms",
            "cycle_p99_ms", "wall_s"}) {
            assertTrue(text.contains("\"" + key + "\": "), key + " missing from " + text);
        }
        assertTrue(text.contains("\"per_org\": {\"tiresias\": {\"gpu_seconds\": "), text);
        assertEquals(61, Files.readAllLines(jobs).size(), "a header and one line per job");
    }

    @Test
    void badCommandLinesSayWhatToChange() {
        assertEquals(2, run("--trace", "x.csv", "--format", "slurm", "--nodes", "1x1:v100-16g"));
        assertTrue(err.toString().startsWith("simulate: unknown trace format 'slurm'; use philly, tiresias or csv"),
                err.toString());
        err.reset();
        assertEquals(2, run("--trace", "x.csv", "--format", "csv"));
        assertTrue(err.toString().startsWith("simulate: give exactly one of --nodes and --cluster"), err.toString());
        err.reset();
        assertEquals(2, run("--trace", "/nonexistent.csv", "--format", "csv", "--nodes", "2x8"));
        assertTrue(err.toString().startsWith("simulate: cannot read /nonexistent.csv"), err.toString());
        err.reset();
        assertEquals(2, run("--trace", SimulationGoldenTest.trace("tiresias-60-jobs.csv").toString(), "--format",
                "tiresias", "--nodes", "2x8", "--policy", "sjf"));
        assertTrue(err.toString().startsWith("simulate: unknown policy 'sjf'; use one of fifo, fifo-backfill, "
                + "fairshare-backfill, las"), err.toString());
    }

    @Test
    void aMalformedTraceStopsWithItsLineNumber(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, "submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s\n0,10,1,1,a,,60\n"
                + "5,-3,1,1,a,,60\n");
        assertEquals(2, run("--trace", trace.toString(), "--format", "csv", "--nodes", "1x4:v100-16g"));
        assertEquals("simulate: " + trace + ":3: duration_s is -3; it must be a number of seconds >= 0\n",
                err.toString());
        err.reset();
        Files.writeString(trace, "submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s\n0,10,1,1,a,,60\n");
        assertEquals(2, run("--trace", trace.toString(), "--format", "csv", "--nodes", "2x8"));
        assertTrue(err.toString().startsWith("simulate: --nodes group '2x8' is not of the form COUNTxGPUS:flavor"),
                err.toString());
    }
}
