package fr.catie.vaniila.scheduler;

import java.util.Arrays;

/**
 * Free resources per node during a cycle: counts per flavor, cores, memory, and (for the real view) which GPU
 * indices are busy. Projections for reservations and reclaim are copies. Mutable; confined to one cycle's
 * thread.
 */
final class Capacity {

    private final CycleIndex index;
    private final int[][] freeGpus;
    private final int[] freeCores;
    private final long[] freeMemory;
    /** Free GPUs per flavor on UP nodes, for the quick "cannot fit anywhere" test. */
    private final int[] freeUp;
    /** [node][gpu] busy; null in projections, which only count. */
    private final boolean[][] busy;

    private Capacity(CycleIndex index, int[][] freeGpus, int[] freeCores, long[] freeMemory, int[] freeUp,
            boolean[][] busy) {
        this.index = index;
        this.freeGpus = freeGpus;
        this.freeCores = freeCores;
        this.freeMemory = freeMemory;
        this.freeUp = freeUp;
        this.busy = busy;
    }

    /** @return every node's whole capacity free, busy flags tracked */
    static Capacity idle(CycleIndex index) {
        int n = index.nodeCount();
        int[][] gpus = new int[n][index.flavors.size()];
        int[] cores = new int[n];
        long[] mem = new long[n];
        int[] up = new int[index.flavors.size()];
        boolean[][] busy = new boolean[n][];
        for (int i = 0; i < n; i++) {
            Node node = index.nodes.get(i);
            cores[i] = node.cores();
            mem[i] = node.memoryMb();
            busy[i] = new boolean[node.gpus().size()];
            for (int f : index.gpuFlavor[i]) {
                gpus[i][f]++;
                if (index.up(i)) {
                    up[f]++;
                }
            }
        }
        return new Capacity(index, gpus, cores, mem, up, busy);
    }

    /** @return a full copy, busy flags included */
    Capacity copy() {
        Capacity c = projection();
        if (busy == null) {
            return c;
        }
        boolean[][] b = new boolean[busy.length][];
        for (int i = 0; i < b.length; i++) {
            b[i] = busy[i].clone();
        }
        return new Capacity(index, c.freeGpus, c.freeCores, c.freeMemory, c.freeUp, b);
    }

    /** @return a counting copy (no busy flags) */
    Capacity projection() {
        int[][] gpus = new int[freeGpus.length][];
        for (int i = 0; i < gpus.length; i++) {
            gpus[i] = freeGpus[i].clone();
        }
        return new Capacity(index, gpus, freeCores.clone(), freeMemory.clone(), freeUp.clone(), null);
    }

    CycleIndex index() {
        return index;
    }

    int freeGpus(int node, int flavor) {
        return freeGpus[node][flavor];
    }

    int freeGpusAll(int node) {
        int s = 0;
        for (int v : freeGpus[node]) {
            s += v;
        }
        return s;
    }

    int freeCores(int node) {
        return freeCores[node];
    }

    long freeMemoryMb(int node) {
        return freeMemory[node];
    }

    int freeOnUpNodes(int flavor) {
        return freeUp[flavor];
    }

    /** Adds (sign 1) or removes (sign -1) amounts on a node; counts only. */
    void add(int node, int flavor, int gpus, int cores, long memoryMb, int sign) {
        if (flavor >= 0 && gpus != 0) {
            freeGpus[node][flavor] += sign * gpus;
            if (index.up(node)) {
                freeUp[flavor] += sign * gpus;
            }
        }
        freeCores[node] += sign * cores;
        freeMemory[node] += sign * memoryMb;
    }

    /** Marks the GPUs of a running job's part as busy. */
    void occupy(int node, java.util.List<Integer> gpuIndices, int cores, long memoryMb) {
        for (int g : gpuIndices) {
            if (g < 0 || g >= busy[node].length) {
                throw new IllegalArgumentException("node " + index.nodes.get(node).name() + " has no GPU " + g);
            }
            if (busy[node][g]) {
                throw new IllegalArgumentException("GPU " + g + " of node " + index.nodes.get(node).name()
                        + " is held by two running jobs");
            }
            busy[node][g] = true;
            add(node, index.gpuFlavor[node][g], 1, 0, 0, -1);
        }
        add(node, -1, 0, cores, memoryMb, -1);
    }

    /** Takes the lowest free GPU indices of the flavor and returns them. */
    int[] take(int node, int flavor, int gpus, int cores, long memoryMb) {
        int[] out = new int[gpus];
        int k = 0;
        for (int g = 0; g < busy[node].length && k < gpus; g++) {
            if (!busy[node][g] && index.gpuFlavor[node][g] == flavor) {
                busy[node][g] = true;
                out[k++] = g;
            }
        }
        if (k < gpus) {
            throw new IllegalStateException("placement chose node " + index.nodes.get(node).name()
                    + " without enough free GPUs: a filter is wrong");
        }
        add(node, flavor, gpus, cores, memoryMb, -1);
        return out;
    }

    @Override
    public String toString() {
        return "Capacity" + Arrays.deepToString(freeGpus);
    }
}
