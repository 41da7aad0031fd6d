package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import fr.catie.vaniila.wording.Phrase;

/** The phrases of pending reasons, in one place so that they read alike. Stateless. */
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

    /** An amount of memory in GB, as a phrase: its unit is written the user's way ("Go" in French). */
    static Phrase memory(long mb) {
        return Phrase.of(ReasonDetail.GIGABYTES, mb % 1024 == 0 ? Long.toString(mb / 1024)
                : String.format(Locale.ROOT, "%.1f", mb / 1024.0));
    }

    /** {@code 4 x v100-16g}, {@code 4 x GPU}, or a phrase for GPUs of a minimum memory, whose words translate. */
    static Object gpus(int count, GpuFlavor flavor, JobRequest job) {
        if (flavor == null && job.gpus() instanceof GpuConstraint.MinMemory m) {
            return Phrase.of(ReasonDetail.GPUS_WITH_MEMORY, count, m.memoryMb() / 1024);
        }
        return count + " x " + (flavor != null ? flavor.name() : job.gpus().describe());
    }

    /** How a sentence names the GPUs a job accepts: a flavor's name, or a phrase for a minimum memory. */
    static Object accepted(GpuConstraint gpus) {
        return gpus instanceof GpuConstraint.MinMemory m ? Phrase.of(ReasonDetail.GPU_WITH_MEMORY, m.memoryMb() / 1024)
                : gpus.describe();
    }

    /** The cores and memory a job needs beside its GPUs, as a phrase that follows them; "" when it needs none. */
    private static Object extras(JobRequest job, int gpusOnNode, boolean perGpu) {
        Resources r = job.resources();
        int cores = r.coresOn(gpusOnNode);
        long mem = r.memoryMbOn(gpusOnNode);
        if (cores == 0 && mem == 0) {
            return "";
        }
        return Phrase.of(perGpu ? ReasonDetail.WITH_CORES_AND_MEMORY_PER_GPU : ReasonDetail.WITH_CORES_AND_MEMORY,
                cores, memory(mem));
    }

    static Phrase resources(JobRequest job, GpuFlavor flavor, Placer.Result r, Queue queue) {
        JobShape shape = job.shape();
        if (r.eligibleNodes == 0) {
            return shape.totalGpus() == 0 ? Phrase.of(ReasonDetail.NO_UP_NODE, queue.name())
                    : Phrase.of(ReasonDetail.NO_UP_NODE_FOR_GPUS, queue.name(), gpus(perNode(shape), flavor, job));
        }
        if (shape.totalGpus() == 0) {
            JobShape.Nodes n = (JobShape.Nodes) shape;
            return Phrase.of(ReasonDetail.BUSY_NODES, n.nodes(), extras(job, 0, false), r.nodesWithGpus, queue.name(),
                    r.maxCores, memory(r.maxMemory));
        }
        if (shape instanceof JobShape.Nodes n) {
            if (n.nodes() == 1) {
                if (r.maxFree < n.gpusPerNode()) {
                    return Phrase.of(ReasonDetail.BUSY_GPUS, gpus(n.gpusPerNode(), flavor, job), r.maxFree);
                }
                return Phrase.of(ReasonDetail.BUSY_CORES_OR_MEMORY, gpus(n.gpusPerNode(), flavor, job),
                        extras(job, n.gpusPerNode(), false), n.gpusPerNode(), r.maxCores, memory(r.maxMemory));
            }
            return Phrase.of(ReasonDetail.BUSY_NODES_WITH_GPUS, n.nodes(), gpus(n.gpusPerNode(), flavor, job),
                    extras(job, n.gpusPerNode(), false), countNodesFit(r));
        }
        return Phrase.of(ReasonDetail.BUSY_GPUS_ANYWHERE, gpus(shape.totalGpus(), flavor, job), extras(job, 1, true),
                r.sumFree, r.maxFree);
    }

    private static int countNodesFit(Placer.Result r) {
        return r.nodesWithGpus - r.rejections[NodeRejection.CORES.ordinal()]
                - r.rejections[NodeRejection.MEMORY.ordinal()] - r.rejections[NodeRejection.RESERVATION.ordinal()];
    }

    private static int perNode(JobShape shape) {
        return shape instanceof JobShape.Nodes n ? n.gpusPerNode() : shape.totalGpus();
    }

    static Phrase never(JobRequest job, GpuFlavor flavor, Placer.Result r, Queue queue) {
        JobShape shape = job.shape();
        if (shape.totalGpus() == 0) {
            JobShape.Nodes n = (JobShape.Nodes) shape;
            return Phrase.of(ReasonDetail.NEVER_NODES, n.nodes(), extras(job, 0, false), queue.name(), r.maxCores,
                    memory(r.maxMemory), r.nodesWithGpus);
        }
        if (shape instanceof JobShape.Nodes n) {
            if (r.maxTotal < n.gpusPerNode()) {
                return Phrase.of(ReasonDetail.NEVER_GPUS_PER_NODE, gpus(n.gpusPerNode(), flavor, job), queue.name(),
                        r.maxTotal);
            }
            if (n.nodes() > r.nodesWithGpus) {
                return Phrase.of(ReasonDetail.NEVER_NODES_WITH_GPUS, n.nodes(), gpus(n.gpusPerNode(), flavor, job),
                        r.nodesWithGpus, queue.name());
            }
            return Phrase.of(ReasonDetail.NEVER_CORES_OR_MEMORY, gpus(n.gpusPerNode(), flavor, job),
                    extras(job, n.gpusPerNode(), false), queue.name(), r.maxCores, memory(r.maxMemory));
        }
        if (r.sumFree < shape.totalGpus()) {
            return Phrase.of(ReasonDetail.NEVER_GPUS, gpus(shape.totalGpus(), flavor, job), queue.name(), r.sumFree);
        }
        return Phrase.of(ReasonDetail.NEVER_GPUS_SPACE, gpus(shape.totalGpus(), flavor, job), extras(job, 1, true),
                queue.name());
    }

    static Phrase noFlavor(JobRequest job, Queue queue, CycleIndex index) {
        List<String> names = new ArrayList<>();
        int q = index.queue(queue.name());
        for (int f = 0; f < index.flavors.size(); f++) {
            if (index.queueAllowsFlavor(q, f)) {
                names.add(index.flavors.get(f).name());
            }
        }
        return Phrase.of(ReasonDetail.NO_FLAVOR, queue.name(), accepted(job.gpus()),
                names.isEmpty() ? Phrase.of(ReasonDetail.NO_FLAVOR_THERE) : String.join(", ", names));
    }

    static Object queueNames(List<Queue> queues, OrgName org) {
        List<String> names = new ArrayList<>();
        for (Queue q : queues) {
            if (org == null || q.allowedOrgs().isEmpty() || q.allowedOrgs().contains(org)) {
                names.add(q.name().value());
            }
        }
        return names.isEmpty() ? Phrase.of(ReasonDetail.NONE_OF_THEM) : String.join(", ", names);
    }
}
