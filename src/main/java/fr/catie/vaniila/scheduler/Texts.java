package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The sentences of pending reasons, in one place so that they read alike. Stateless. */
final class Texts {

    private Texts() {
    }

    static String duration(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return (s / 86_400) + "d";
        }
        if (s % 3_600 == 0) {
            return (s / 3_600) + "h";
        }
        if (s % 60 == 0) {
            return (s / 60) + "m";
        }
        return s + "s";
    }

    static String memory(long mb) {
        return mb % 1024 == 0 ? (mb / 1024) + " GB" : String.format(Locale.ROOT, "%.1f GB", mb / 1024.0);
    }

    static String gpus(int count, GpuFlavor flavor, JobRequest job) {
        return count + " x " + (flavor != null ? flavor.name() : job.gpus().describe());
    }

    private static String extras(JobRequest job, int gpusOnNode) {
        Resources r = job.resources();
        int cores = r.coresOn(gpusOnNode);
        long mem = r.memoryMbOn(gpusOnNode);
        if (cores == 0 && mem == 0) {
            return "";
        }
        return " with " + cores + " cores and " + memory(mem);
    }

    static String resources(JobRequest job, GpuFlavor flavor, Placer.Result r, Queue queue) {
        JobShape shape = job.shape();
        if (r.eligibleNodes == 0) {
            return "no UP node of queue " + queue.name() + " can host " + (shape.totalGpus() == 0 ? "it"
                    : gpus(perNode(shape), flavor, job) + " on one node") + " right now (nodes down or draining)";
        }
        if (shape.totalGpus() == 0) {
            JobShape.Nodes n = (JobShape.Nodes) shape;
            return "needs " + n.nodes() + " node(s)" + extras(job, 0) + " each; " + r.nodesWithGpus
                    + " node(s) of queue " + queue.name() + " have nodes with at most " + r.maxCores
                    + " free cores and " + memory(r.maxMemory);
        }
        if (shape instanceof JobShape.Nodes n) {
            if (n.nodes() == 1) {
                if (r.maxFree < n.gpusPerNode()) {
                    return "needs " + gpus(n.gpusPerNode(), flavor, job) + " on one node; the most free on any node is "
                            + r.maxFree;
                }
                return "needs " + gpus(n.gpusPerNode(), flavor, job) + extras(job, n.gpusPerNode())
                        + " on one node; the nodes with " + n.gpusPerNode() + " free GPUs have at most " + r.maxCores
                        + " free cores and " + memory(r.maxMemory);
            }
            return "needs " + n.nodes() + " nodes with " + gpus(n.gpusPerNode(), flavor, job) + extras(job,
                    n.gpusPerNode()) + " free each; " + countNodesFit(r) + " node(s) have that now";
        }
        return "needs " + gpus(shape.totalGpus(), flavor, job) + extras(job, 1).replace(" with", " with, per GPU,")
                + "; " + r.sumFree + " are free (at most " + r.maxFree + " on one node)";
    }

    private static int countNodesFit(Placer.Result r) {
        return r.nodesWithGpus - r.rejections[NodeRejection.CORES.ordinal()]
                - r.rejections[NodeRejection.MEMORY.ordinal()] - r.rejections[NodeRejection.RESERVATION.ordinal()];
    }

    private static int perNode(JobShape shape) {
        return shape instanceof JobShape.Nodes n ? n.gpusPerNode() : shape.totalGpus();
    }

    static String never(JobRequest job, GpuFlavor flavor, Placer.Result r, Queue queue) {
        JobShape shape = job.shape();
        String where = " in queue " + queue.name();
        if (shape.totalGpus() == 0) {
            JobShape.Nodes n = (JobShape.Nodes) shape;
            return "needs " + n.nodes() + " node(s)" + extras(job, 0) + " each; the largest node" + where + " has "
                    + r.maxCores + " cores and " + memory(r.maxMemory) + " and " + r.nodesWithGpus
                    + " node(s) exist; ask for less";
        }
        if (shape instanceof JobShape.Nodes n) {
            if (r.maxTotal < n.gpusPerNode()) {
                return "needs " + gpus(n.gpusPerNode(), flavor, job) + " on one node; the largest node" + where
                        + " has " + r.maxTotal + "; ask for fewer GPUs per node";
            }
            if (n.nodes() > r.nodesWithGpus) {
                return "needs " + n.nodes() + " nodes with " + gpus(n.gpusPerNode(), flavor, job) + " each; only "
                        + r.nodesWithGpus + " node(s)" + where + " have that many; ask for fewer nodes";
            }
            return "needs " + gpus(n.gpusPerNode(), flavor, job) + extras(job, n.gpusPerNode())
                    + " on one node; the nodes" + where + " with that many GPUs have at most " + r.maxCores
                    + " cores and " + memory(r.maxMemory) + "; ask for fewer cores or less memory";
        }
        if (r.sumFree < shape.totalGpus()) {
            return "needs " + gpus(shape.totalGpus(), flavor, job) + "; queue " + queue.name() + " has only "
                    + r.sumFree + " of them; ask for fewer GPUs";
        }
        return "needs " + gpus(shape.totalGpus(), flavor, job) + extras(job, 1).replace(" with", " with, per GPU,")
                + "; the nodes" + where + " cannot hold that many cores or that much memory; ask for less";
    }

    static String noFlavor(JobRequest job, Queue queue, CycleIndex index) {
        List<String> names = new ArrayList<>();
        int q = index.queue(queue.name());
        for (int f = 0; f < index.flavors.size(); f++) {
            if (index.queueAllowsFlavor(q, f)) {
                names.add(index.flavors.get(f).name());
            }
        }
        return "no node of queue " + queue.name() + " has a " + job.gpus().describe() + "; flavors there: "
                + (names.isEmpty() ? "none" : String.join(", ", names));
    }

    static String queueNames(List<Queue> queues, OrgName org) {
        List<String> names = new ArrayList<>();
        for (Queue q : queues) {
            if (org == null || q.allowedOrgs().isEmpty() || q.allowedOrgs().contains(org)) {
                names.add(q.name().value());
            }
        }
        return names.isEmpty() ? "(none)" : String.join(", ", names);
    }
}
