package fr.catie.vaniila.agent;

/**
 * A GPU's utilisation at one instant, sent with every sync.
 *
 * @param index        the GPU's index on the node
 * @param utilization  percent of time a kernel ran over the last sample period, 0..100
 * @param memoryUsedMb memory in use, MiB
 */
public record GpuSample(int index, int utilization, long memoryUsedMb) {
}
