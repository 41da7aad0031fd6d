package fr.catie.vaniila.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import fr.catie.vaniila.wording.Phrase;

/**
 * The cycle's reservations with, per reserved node, what the reservation leaves spare at its start: a job
 * running past a reservation's start may only use that spare. Mutable; confined to one cycle.
 */
final class ReservationBook {

    /** One reservation with per-node spare amounts (MAX on nodes it does not use). */
    static final class Entry {
        final JobId job;
        final long start;
        final long end;
        final int flavor;
        final int[] nodes;
        final int[] gpus;
        final int[] cores;
        final long[] memory;
        final int[] spareGpus;
        final int[] spareCores;
        final long[] spareMemory;
        /** The PRIORITY sentence of jobs this reservation holds back, built once: many jobs may share it. */
        private Phrase delayPhrase;

        Entry(JobId job, long start, long end, int flavor, int nodeCount, int[] nodes, int[] gpus, int[] cores,
                long[] memory) {
            this.job = job;
            this.start = start;
            this.end = end;
            this.flavor = flavor;
            this.nodes = nodes;
            this.gpus = gpus;
            this.cores = cores;
            this.memory = memory;
            this.spareGpus = new int[nodeCount];
            this.spareCores = new int[nodeCount];
            this.spareMemory = new long[nodeCount];
            Arrays.fill(spareGpus, Integer.MAX_VALUE);
            Arrays.fill(spareCores, Integer.MAX_VALUE);
            Arrays.fill(spareMemory, Long.MAX_VALUE);
        }

        Phrase delayPhrase() {
            if (delayPhrase == null) {
                delayPhrase = Phrase.of(ReasonDetail.WOULD_DELAY, job, java.time.Instant.ofEpochMilli(start));
            }
            return delayPhrase;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    /** Entries by node they reserve on: a demand is only checked against the reservations of its node. */
    private final java.util.Map<Integer, List<Entry>> byNode = new java.util.HashMap<>();

    List<Entry> entries() {
        return entries;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void add(Entry e) {
        entries.add(e);
        for (int node : e.nodes) {
            byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(e);
        }
    }

    private List<Entry> on(int node) {
        return byNode.getOrDefault(node, List.of());
    }

    boolean allows(NodeDemand d, int node) {
        List<Entry> here = on(node);
        for (int i = 0; i < here.size(); i++) {
            Entry e = here.get(i);
            if (d.endsAt() <= e.start) {
                continue;
            }
            if ((d.flavor() == e.flavor && d.gpus() > e.spareGpus[node]) || d.cores() > e.spareCores[node]
                    || d.memoryMb() > e.spareMemory[node]) {
                return false;
            }
        }
        return true;
    }

    /** @return the reservation a demand on this node would delay, or null */
    Entry blocking(NodeDemand d, int node) {
        for (Entry e : on(node)) {
            if (d.endsAt() > e.start && ((d.flavor() == e.flavor && d.gpus() > e.spareGpus[node])
                    || d.cores() > e.spareCores[node] || d.memoryMb() > e.spareMemory[node])) {
                return e;
            }
        }
        return null;
    }

    /** Records that a job ending at {@code endsAt} now uses these amounts on the node. */
    void consume(int node, int flavor, int gpus, int cores, long memoryMb, long endsAt) {
        for (Entry e : on(node)) {
            if (endsAt <= e.start || e.spareCores[node] == Integer.MAX_VALUE) {
                continue;
            }
            if (flavor == e.flavor) {
                e.spareGpus[node] -= gpus;
            }
            e.spareCores[node] -= cores;
            e.spareMemory[node] -= memoryMb;
        }
    }
}
