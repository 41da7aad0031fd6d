package fr.catie.vaniila.scheduler;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds nodes for one job on one GPU flavor: runs the filter chain on every node, scores the survivors and
 * picks all-or-nothing. Also collects what the rejected nodes had, for the pending sentence. Stateless apart
 * from its filter chains; confined to one cycle.
 */
final class Placer {

    /** One node of a placement. */
    record Part(int node, int gpus, int cores, long memoryMb) {
    }

    /** The outcome of one placement attempt with the facts the reason sentence needs. */
    static final class Result {
        Part[] parts;
        final int[] rejections = new int[NodeRejection.values().length];
        /** Most free GPUs of the flavor on a node that passed state, queue and flavor filters. */
        int maxFree;
        /** Sum of those free GPUs. */
        int sumFree;
        /** Nodes that had enough free GPUs. */
        int nodesWithGpus;
        /** Most free cores / memory among nodes with enough free GPUs. */
        int maxCores;
        long maxMemory;
        /** Nodes that passed the static filters. */
        int eligibleNodes;
        /** Most GPUs of the flavor, busy or not, on a node of the queue (for "the largest node has"). */
        int maxTotal;

        boolean placed() {
            return parts != null;
        }

        int gpus() {
            int n = 0;
            for (Part p : parts) {
                n += p.gpus();
            }
            return n;
        }
    }

    private static final BestFitScorer BEST_FIT = new BestFitScorer();
    private static final FewestNodesScorer FEWEST_NODES = new FewestNodesScorer();

    private final NodeFilter[] chain;

    Placer(NodeFilter... chain) {
        this.chain = chain;
    }

    /** Filters for "can it start now": state, queue, flavor, free GPUs, cores, memory. */
    static Placer now() {
        return new Placer(new NodeStateFilter(), new QueueNodesFilter(), new GpuFlavorFilter(), new FreeGpuFilter(),
                new CoresFilter(), new MemoryFilter());
    }

    /** {@link #now()} plus the reservations of the cycle. */
    static Placer nowRespecting(ReservationBook book) {
        return new Placer(new NodeStateFilter(), new QueueNodesFilter(), new GpuFlavorFilter(), new FreeGpuFilter(),
                new CoresFilter(), new MemoryFilter(), new ReservationFilter(book));
    }

    /** For "can it ever run": every node counts whatever its state, on an idle capacity. */
    static Placer ever() {
        return new Placer(new QueueNodesFilter(), new GpuFlavorFilter(), new FreeGpuFilter(), new CoresFilter(),
                new MemoryFilter());
    }

    /** @return the first rejection of the node, or null when it passes */
    NodeRejection check(NodeDemand demand, Capacity capacity, int node) {
        for (NodeFilter f : chain) {
            if (!f.accepts(demand, capacity, node)) {
                return f.rejection();
            }
        }
        return null;
    }

    /**
     * @param shape     the job's shape
     * @param resources its cores and memory
     * @param base      queue, flavor and end of the job (GPU, core and memory amounts are derived per node)
     * @param capacity  the view to place on (not changed)
     * @return the result; {@link Result#parts} is null when the job does not fit
     */
    Result place(JobShape shape, Resources resources, NodeDemand base, Capacity capacity) {
        Result result = new Result();
        if (shape instanceof JobShape.Nodes nodes) {
            result.parts = pick(nodes.nodes(), base.withGpus(nodes.gpusPerNode(), resources), capacity, result);
            return result;
        }
        int gpus = shape.totalGpus();
        result.parts = pick(1, base.withGpus(gpus, resources), capacity, result);
        if (result.parts == null && gpus > 1) {
            result.parts = spread(gpus, base, resources, capacity);
        }
        return result;
    }

    private Part[] pick(int count, NodeDemand demand, Capacity capacity, Result result) {
        int n = capacity.index().nodeCount();
        int best = -1;
        long bestScore = Long.MIN_VALUE;
        List<long[]> candidates = count > 1 ? new ArrayList<>() : null;
        for (int node = 0; node < n; node++) {
            NodeRejection r = check(demand, capacity, node);
            if (demand.flavor() >= 0 && (r == null || r.ordinal() > NodeRejection.QUEUE_NODES.ordinal())) {
                result.maxTotal = Math.max(result.maxTotal, capacity.index().totalGpus(node, demand.flavor()));
            }
            if (r == null || r.ordinal() >= NodeRejection.FREE_GPUS.ordinal()) {
                result.eligibleNodes++;
                int free = demand.flavor() < 0 ? 0 : capacity.freeGpus(node, demand.flavor());
                result.maxFree = Math.max(result.maxFree, free);
                result.sumFree += free;
                if (r == null || r.ordinal() > NodeRejection.FREE_GPUS.ordinal()) {
                    result.nodesWithGpus++;
                    result.maxCores = Math.max(result.maxCores, capacity.freeCores(node));
                    result.maxMemory = Math.max(result.maxMemory, capacity.freeMemoryMb(node));
                }
            }
            if (r != null) {
                result.rejections[r.ordinal()]++;
                continue;
            }
            long score = BEST_FIT.score(demand, capacity, node);
            if (candidates != null) {
                candidates.add(new long[] {score, node});
            } else if (score > bestScore) {
                bestScore = score;
                best = node;
            }
        }
        if (candidates == null) {
            return best < 0 ? null : new Part[] {part(best, demand)};
        }
        if (candidates.size() < count) {
            return null;
        }
        candidates.sort((a, b) -> a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[1], b[1]));
        Part[] parts = new Part[count];
        for (int i = 0; i < count; i++) {
            parts[i] = part((int) candidates.get(i)[1], demand);
        }
        return parts;
    }

    private Part[] spread(int gpus, NodeDemand base, Resources resources, Capacity capacity) {
        int n = capacity.index().nodeCount();
        List<long[]> candidates = new ArrayList<>();
        for (int node = 0; node < n; node++) {
            int take = Math.min(gpus, capacity.freeGpus(node, base.flavor()));
            while (take > 0 && check(base.withGpus(take, resources), capacity, node) != null) {
                take--;
            }
            if (take > 0) {
                candidates.add(new long[] {FEWEST_NODES.score(base.withGpus(take, resources), capacity, node), take,
                        node});
            }
        }
        candidates.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1])
                : a[0] != b[0] ? Long.compare(b[0], a[0]) : Long.compare(a[2], b[2]));
        List<Part> parts = new ArrayList<>();
        int remaining = gpus;
        for (long[] c : candidates) {
            if (remaining == 0) {
                break;
            }
            int take = (int) Math.min(remaining, c[1]);
            parts.add(part((int) c[2], base.withGpus(take, resources)));
            remaining -= take;
        }
        return remaining == 0 ? parts.toArray(new Part[0]) : null;
    }

    private static Part part(int node, NodeDemand demand) {
        return new Part(node, demand.gpus(), demand.cores(), demand.memoryMb());
    }
}
