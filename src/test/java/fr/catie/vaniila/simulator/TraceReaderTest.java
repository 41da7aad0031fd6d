package fr.catie.vaniila.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fr.catie.vaniila.scheduler.JobShape;
import fr.catie.vaniila.scheduler.Policy;
import fr.catie.vaniila.scheduler.SchedulerConfig;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trace readers: the three formats, and every kind of bad line named with its line number. */
class TraceReaderTest {

    private static List<TraceJob> read(TraceFormat format, String text) throws Exception {
        return TraceReader.read(new StringReader(text), format, "t.csv");
    }

    @Test
    void readsTheThreeFormats() throws Exception {
        List<TraceJob> philly = read(TraceFormat.PHILLY, "timestamp,duration,num_gpus,gpu_time,cluster\n"
                + "2017-10-09 07:01:55,66.0,2,132.0,11cb48\n");
        assertEquals(new TraceJob(2, 1_507_532_515L, 66, new JobShape.Gpus(2), "11cb48", "", 66), philly.get(0));
        List<TraceJob> tiresias = read(TraceFormat.TIRESIAS, "job_id,num_gpu,submit_time,iterations,model_name,"
                + "duration,interval\n0,8,30,133,vgg11,147,23\n");
        assertEquals(new TraceJob(2, 30, 147, new JobShape.Gpus(8), "tiresias", "", 147), tiresias.get(0));
        List<TraceJob> csv = read(TraceFormat.CSV, "submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s\n"
                + "10,100,2,4,acme,,3600\n\n20,5,1,0,globex,cpu,60\n");
        assertEquals(List.of(new TraceJob(2, 10, 100, new JobShape.Nodes(2, 4), "acme", "", 3600),
                new TraceJob(4, 20, 5, new JobShape.Nodes(1, 0), "globex", "cpu", 60)), csv);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed line|10,100,2,4,acme,,3600,extra|t.csv:2: has 8 fields but the header has 7 "
            + "(submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s)",
        "negative duration|10,-5,1,1,acme,,3600|t.csv:2: duration_s is -5; it must be a number of seconds >= 0",
        "not a number|10,abc,1,1,acme,,3600|t.csv:2: duration_s 'abc' is not a number of seconds",
        "zero nodes|10,5,0,1,acme,,3600|t.csv:2: nodes is 0; it must be at least 1",
        "wall time below run time|10,500,1,1,acme,,60|t.csv:2: walltime_s 60 is below duration_s 500 (or zero); "
            + "the wall-time limit is at least the run time",
        "no org|10,5,1,1,,,60|t.csv:2: org is empty; every job belongs to an organisation",
    })
    void badLinesNameTheirLine(String what, String line, String message) {
        TraceException e = assertThrows(TraceException.class, () -> read(TraceFormat.CSV,
                "submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s\n" + line + "\n"));
        assertEquals(message, e.getMessage(), what);
        assertEquals(2, e.line());
    }

    @Test
    void unknownAndMissingColumnsAreNamed() {
        assertEquals("t.csv:1: unknown column 'user'; a philly trace has the columns "
                + "timestamp,duration,num_gpus,gpu_time,cluster", assertThrows(TraceException.class,
                        () -> read(TraceFormat.PHILLY, "timestamp,duration,num_gpus,gpu_time,cluster,user\n"))
                        .getMessage());
        assertEquals("t.csv:1: missing column 'cluster'; a philly trace has the columns "
                + "timestamp,duration,num_gpus,gpu_time,cluster", assertThrows(TraceException.class,
                        () -> read(TraceFormat.PHILLY, "timestamp,duration,num_gpus,gpu_time\n")).getMessage());
        assertEquals("t.csv:3: timestamp '2017-13-09 07:01:55' is not of the form 2017-10-09 07:01:55",
                assertThrows(TraceException.class, () -> read(TraceFormat.PHILLY,
                        "timestamp,duration,num_gpus,gpu_time,cluster\n2017-10-09 07:01:55,66.0,1,66.0,a\n"
                                + "2017-13-09 07:01:55,66.0,1,66.0,a\n")).getMessage());
    }

    @Test
    void jobsTheClusterCannotHoldAreCountedAsRejectedNotSkipped() throws Exception {
        List<TraceJob> jobs = read(TraceFormat.CSV, "submit_s,duration_s,nodes,gpus_per_node,org,queue,walltime_s\n"
                + "0,100,1,4,acme,,3600\n10,100,1,9,acme,,3600\n20,100,4,2,acme,,3600\n30,100,1,1,acme,nope,3600\n"
                + "40,100,1,13,acme,,3600\n");
        SimulationResult r = new Simulation(ClusterSpec.parse("3x4:v100-16g"), List.of(),
                SchedulerConfig.defaults(Policy.FIFO_BACKFILL), jobs).run();
        assertEquals(5, r.jobs());
        assertEquals(4, r.rejected());
        assertEquals(1, r.completed());
        assertEquals(List.of("line 3: can never run: needs 9 x v100-16g on one node; the largest node in queue "
                + "default has 4; ask for fewer GPUs per node",
                "line 4: can never run: needs 4 nodes with 2 x v100-16g each; only 3 node(s) in queue default have "
                        + "that many; ask for fewer nodes",
                "line 5: queue limit: queue 'nope' does not exist; use one of: default",
                "line 6: queue limit: asks for 13 GPUs but queue default allows at most 12 per job; ask for fewer "
                        + "GPUs or use another queue"), r.rejections());
    }
}
