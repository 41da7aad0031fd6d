package fr.catie.vaniila.simulator;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics of one simulation run. Times are simulated seconds except the cycle times and {@code wallS}, which
 * are measured on this machine. Immutable; thread safe.
 *
 * @param policy        the policy
 * @param jobs          jobs read from the trace (after {@code --from/--to})
 * @param rejected      jobs rejected at submit (the same check the jobs module runs)
 * @param completed     jobs that ran to completion
 * @param unfinished    jobs left pending when no event remained (a job that can never start)
 * @param avgJctS       mean job completion time (completion - submit)
 * @param p50JctS       median JCT
 * @param p99JctS       99th percentile JCT
 * @param avgWaitS      mean time not running (JCT - run time)
 * @param p99WaitS      99th percentile of that
 * @param makespanS     last completion - first submit
 * @param gpuAllocation allocated GPU-time over available GPU-time during the makespan, 0..1
 * @param fragmentation share of the makespan during which a pending job fitted in the total free GPUs but on no node
 * @param waitingAllocation allocated GPU-time over available GPU-time while some job was pending, 0..1 (1 when no
 *                      job ever waited): how busy the scheduler kept the cluster while there was demand
 * @param preemptions   preemptions carried out
 * @param perOrg        per organisation: GPU-seconds, share of all GPU-time, share guaranteed
 * @param cycles        scheduling cycles run
 * @param cycleP50Ms    median cycle time, ms
 * @param cycleP99Ms    99th percentile cycle time, ms
 * @param wallS         wall time of the whole run, s
 * @param rejections    the first rejected jobs with their line and sentence
 */
public record SimulationResult(String policy, int jobs, int rejected, int completed, int unfinished, double avgJctS,
        double p50JctS, double p99JctS, double avgWaitS, double p99WaitS, double makespanS, double gpuAllocation,
        double fragmentation, double waitingAllocation, int preemptions, Map<String, OrgShare> perOrg, long cycles,
        double cycleP50Ms, double cycleP99Ms, double wallS, List<String> rejections) {

    /**
     * @param gpuSeconds     GPU-seconds it received
     * @param share          its share of all GPU-seconds
     * @param guaranteeShare its guaranteed GPUs over the cluster's GPUs
     */
    public record OrgShare(double gpuSeconds, double share, double guaranteeShare) {
    }

    /** @return the one-line summary */
    public String summary() {
        return String.format(Locale.ROOT, "policy=%s jobs=%d rejected=%d completed=%d unfinished=%d avg_jct_s=%.0f "
                + "p50_jct_s=%.0f p99_jct_s=%.0f avg_wait_s=%.0f p99_wait_s=%.0f makespan_s=%.0f gpu_allocation=%.4f "
                + "fragmentation=%.4f waiting_allocation=%.4f preemptions=%d cycles=%d cycle_p50_ms=%.3f "
                + "cycle_p99_ms=%.3f wall_s=%.1f",
                policy, jobs, rejected, completed, unfinished, avgJctS, p50JctS, p99JctS, avgWaitS, p99WaitS,
                makespanS, gpuAllocation, fragmentation, waitingAllocation, preemptions, cycles, cycleP50Ms,
                cycleP99Ms, wallS);
    }

    /** @return the metrics as a JSON object */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\n");
        field(sb, "policy", "\"" + policy + "\"");
        field(sb, "jobs", Integer.toString(jobs));
        field(sb, "rejected", Integer.toString(rejected));
        field(sb, "completed", Integer.toString(completed));
        field(sb, "unfinished", Integer.toString(unfinished));
        field(sb, "avg_jct_s", num(avgJctS));
        field(sb, "p50_jct_s", num(p50JctS));
        field(sb, "p99_jct_s", num(p99JctS));
        field(sb, "avg_wait_s", num(avgWaitS));
        field(sb, "p99_wait_s", num(p99WaitS));
        field(sb, "makespan_s", num(makespanS));
        field(sb, "gpu_allocation", num(gpuAllocation));
        field(sb, "fragmentation", num(fragmentation));
        field(sb, "waiting_allocation", num(waitingAllocation));
        field(sb, "preemptions", Integer.toString(preemptions));
        StringBuilder orgs = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, OrgShare> e : perOrg.entrySet()) {
            orgs.append(first ? "" : ", ").append(quote(e.getKey())).append(": {\"gpu_seconds\": ")
                    .append(num(e.getValue().gpuSeconds())).append(", \"share\": ").append(num(e.getValue().share()))
                    .append(", \"guarantee_share\": ").append(num(e.getValue().guaranteeShare())).append('}');
            first = false;
        }
        field(sb, "per_org", orgs.append('}').toString());
        field(sb, "cycles", Long.toString(cycles));
        field(sb, "cycle_p50_ms", num(cycleP50Ms));
        field(sb, "cycle_p99_ms", num(cycleP99Ms));
        field(sb, "wall_s", num(wallS));
        StringBuilder rej = new StringBuilder("[");
        for (int i = 0; i < rejections.size(); i++) {
            rej.append(i == 0 ? "" : ", ").append(quote(rejections.get(i)));
        }
        sb.append("  \"rejections\": ").append(rej.append(']')).append("\n}\n");
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append("  \"").append(name).append("\": ").append(value).append(",\n");
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "null";
        }
        return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
