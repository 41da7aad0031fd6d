/**
 * The simulator behind the {@code simulate} role: reads job traces (Philly, Tiresias, the native CSV), replays
 * them through the real scheduler core under a simulated clock, one cycle per event, and reports metrics
 * (completion times, waits, GPU allocation, fragmentation, preemptions, per-organisation shares, cycle times).
 * Deterministic: no random number is drawn, so the same trace and cluster give the same numbers.
 */
package fr.catie.vaniila.simulator;
