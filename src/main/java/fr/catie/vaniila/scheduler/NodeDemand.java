package fr.catie.vaniila.scheduler;

/**
 * What a job needs from one node, as the filters test it. Immutable; thread safe.
 *
 * @param queue    index of the job's queue in the cycle's index
 * @param flavor   index of the GPU flavor in the cycle's index, or -1 for a CPU-only demand
 * @param gpus     GPUs of that flavor
 * @param cores    cores
 * @param memoryMb memory, MiB
 * @param endsAt   the job's wall-time end (epoch milliseconds), against which reservations are checked
 */
record NodeDemand(int queue, int flavor, int gpus, int cores, long memoryMb, long endsAt) {

    NodeDemand withGpus(int n, Resources r) {
        return new NodeDemand(queue, flavor, n, r.coresOn(n), r.memoryMbOn(n), endsAt);
    }
}
