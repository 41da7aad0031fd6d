package fr.catie.vaniila.scheduler;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * An organisation (a company) as the scheduler sees it: quotas, budget, fair-share weight and recent usage.
 * Immutable; thread safe.
 *
 * @param name            the organisation
 * @param gpuQuotas       quota per GPU flavor name; a flavor absent from the map may not be used at all
 * @param cpuCoreLimit    most cores its running jobs may hold together; empty for no limit
 * @param gpuHourBudget   GPU-hours it may use in the current period; empty for no budget
 * @param gpuHoursUsed    GPU-hours already used in the current period (only meaningful with a budget)
 * @param fairShareWeight its share of the cluster relative to the others, positive
 * @param usage           its recent usage, decayed
 */
public record Organisation(OrgName name, Map<String, FlavorQuota> gpuQuotas, OptionalInt cpuCoreLimit,
        OptionalDouble gpuHourBudget, double gpuHoursUsed, double fairShareWeight, DecayedUsage usage) {

    /** Checks the values. */
    public Organisation {
        Objects.requireNonNull(name, "name");
        gpuQuotas = Map.copyOf(gpuQuotas);
        Objects.requireNonNull(cpuCoreLimit, "cpuCoreLimit");
        Objects.requireNonNull(gpuHourBudget, "gpuHourBudget");
        Objects.requireNonNull(usage, "usage");
        if (!(fairShareWeight > 0)) {
            throw new IllegalArgumentException("organisation " + name + ": fair-share weight must be positive");
        }
        if (gpuHoursUsed < 0) {
            throw new IllegalArgumentException("organisation " + name + ": GPU-hours used cannot be negative");
        }
    }

    /** @param flavor a flavor name @return its quota, or a zero quota when the flavor is not granted */
    public FlavorQuota quota(String flavor) {
        return gpuQuotas.getOrDefault(flavor, NO_QUOTA);
    }

    private static final FlavorQuota NO_QUOTA = new FlavorQuota(0, 0);

    /** @param value the usage @return a copy with that usage */
    public Organisation withUsage(DecayedUsage value) {
        return new Organisation(name, gpuQuotas, cpuCoreLimit, gpuHourBudget, gpuHoursUsed, fairShareWeight, value);
    }

    /** @param value GPU-hours used this period @return a copy */
    public Organisation withGpuHoursUsed(double value) {
        return new Organisation(name, gpuQuotas, cpuCoreLimit, gpuHourBudget, value, fairShareWeight, usage);
    }
}
