package fr.catie.vaniila.web;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import fr.catie.vaniila.jobs.JobSubmission;
import fr.catie.vaniila.platform.Problem;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The submit page's form exactly as the user typed it: every field is text, so that a rejected form
 * comes back with what was typed, mistakes included. Immutable.
 *
 * @param type        {@code batch} (the script is a bash script) or {@code training} (the script box holds the
 *                    training parameters as JSON)
 * @param script      the batch script, or the training parameters
 * @param nodes       number of nodes
 * @param gpusPerNode GPUs on each node
 * @param gpuFlavor   a flavor, or empty for any
 * @param cores       cores per node; empty for the defaults (one per GPU, or one for a CPU job)
 * @param memoryGb    memory per node in GB; empty for the defaults
 * @param walltime    wall time as Slurm writes it; empty for the queue's default
 * @param array       array spec, e.g. {@code 0-9%2}
 * @param dependency  e.g. {@code afterok:12}
 */
record SubmitForm(String type, String name, String queue, String script, String nodes, String gpusPerNode,
        String gpuFlavor, String cores, String memoryGb, String walltime, String array, String dependency) {

    /** Every form field, for the field errors the page knows where to show. */
    static final java.util.List<String> FIELDS = java.util.List.of("type", "name", "queue", "script", "nodes",
            "gpusPerNode", "gpuFlavor", "cores", "memoryGb", "walltime", "array", "dependency");

    /** The empty form: a one-node batch job on the default queue. */
    static SubmitForm blank() {
        return new SubmitForm("batch", "", "", "", "1", "0", "", "", "", "", "", "");
    }

    /** The form that submits the same job again. */
    static SubmitForm of(JobSubmission s, JsonMapper json) {
        boolean training = "training".equals(s.type());
        String memory = s.memPerNodeMb() == null ? "" : Long.toString(Math.max(1, s.memPerNodeMb() / 1024));
        String cores = s.coresPerNode() == null || s.coresPerNode() <= 0 ? "" : Integer.toString(s.coresPerNode());
        Map<String, Object> parameters = new LinkedHashMap<>(s.training() == null ? Map.of() : s.training());
        if (s.ranks() != null) {
            parameters.put("ranks", s.ranks());
        }
        return new SubmitForm(training ? "training" : "batch", text(s.name()), text(s.queue()),
                training ? json.writerWithDefaultPrettyPrinter().writeValueAsString(parameters) : text(s.script()),
                s.nodes() == null ? "1" : s.nodes().toString(), s.gpusPerNode() == null ? "0" : s.gpusPerNode().toString(),
                text(s.gpuFlavor()), cores, memory, text(s.walltime()), text(s.array()), text(s.dependency()));
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    /**
     * The submission for the jobs module. Numbers that are not numbers, and training parameters that are not a
     * JSON object, are refused here with the field's name, like the module's own field errors.
     */
    JobSubmission toSubmission(JsonMapper json) {
        Map<String, String> errors = new LinkedHashMap<>();
        Integer nodeCount = number(nodes, "nodes", "Nodes must be a whole number, e.g. 1.", errors);
        Integer gpus = number(gpusPerNode, "gpusPerNode", "GPUs per node must be a whole number, e.g. 0 or 2.", errors);
        Integer coreCount = number(cores, "cores", "Cores must be a whole number of cores per node, e.g. 8.", errors);
        Integer memory = number(memoryGb, "memoryGb", "Memory must be a whole number of GB per node, e.g. 16.", errors);
        boolean training = "training".equals(type == null ? "" : type.trim().toLowerCase(Locale.ROOT));
        Map<String, Object> parameters = null;
        if (training) {
            try {
                Object parsed = json.readValue(script == null || script.isBlank() ? "{}" : script, Object.class);
                if (parsed instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> p = (Map<String, Object>) m;
                    parameters = p;
                } else {
                    errors.put("script", "The training parameters must be a JSON object, e.g. "
                            + "{\"dataset\": \"digits\", \"model\": \"mlp\", \"epochs\": 30}.");
                }
            } catch (JacksonException e) {
                errors.put("script", "The training parameters are not valid JSON (" + e.getOriginalMessage()
                        + "): write them as {\"dataset\": \"digits\", \"model\": \"mlp\", \"epochs\": 30}.");
            }
        }
        if (!errors.isEmpty()) {
            throw Problem.invalidFields(errors);
        }
        // A training job without GPUs runs "ranks" CPU processes: a job-level count, given here among the parameters.
        Integer ranks = null;
        if (parameters != null && parameters.get("ranks") instanceof Number n) {
            parameters = new LinkedHashMap<>(parameters);
            parameters.remove("ranks");
            ranks = n.intValue();
        }
        // Browsers send a textarea's lines ending in CR LF; bash would read "sleep 8\r" as a bad interval.
        String lines = script == null ? null : script.replace("\r\n", "\n");
        return new JobSubmission(blankToNull(name), blankToNull(queue), training ? "training" : "batch",
                training ? null : lines, nodeCount, gpus, blankToNull(gpuFlavor), null, null, null, coreCount, null,
                memory == null ? null : memory * 1024L, blankToNull(walltime), blankToNull(array),
                blankToNull(dependency), null, null, null, null, null, null, parameters, ranks);
    }

    private static Integer number(String text, String field, String message, Map<String, String> errors) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.trim());
        } catch (NumberFormatException e) {
            errors.put(field, message);
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
