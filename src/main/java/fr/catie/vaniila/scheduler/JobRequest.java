package fr.catie.vaniila.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a job asks for, as the core sees it: one pending job (an array task is one job). Immutable; thread safe.
 *
 * @param id                  the job's id
 * @param org                 the organisation the job is accounted to
 * @param user                the submitting user's login
 * @param queue               the queue (partition) it was submitted to
 * @param shape               nodes and GPUs
 * @param gpus                which GPU flavors it accepts
 * @param resources           cores and memory per node and per GPU
 * @param wallTime            the user's wall-time limit; empty means the queue's default
 * @param type                batch, training or interactive
 * @param preemptible         true when the user accepts preemption (a preemptible queue makes every job so)
 * @param held                true while held by the user or an admin
 * @param dependency          the dependency state resolved by the jobs module
 * @param submittedAt         when it was submitted (ages it)
 * @param attainedGpuSeconds  GPU-seconds it already received in earlier runs (after a preemption), for LAS
 * @param holdsReservation    true when the previous cycle gave it a reservation (the jobs module keeps that cycle's
 *                            estimated start): under fair share it then keeps a reservation until it starts, as with
 *                            Maui's {@code RESERVATIONPOLICY HIGHEST}
 */
public record JobRequest(JobId id, OrgName org, String user, QueueName queue, JobShape shape, GpuConstraint gpus,
        Resources resources, Optional<Duration> wallTime, JobType type, boolean preemptible, boolean held,
        DependencyState dependency, Instant submittedAt, double attainedGpuSeconds, boolean holdsReservation) {

    /** Checks required parts are present and the wall time is positive. */
    public JobRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(org, "org");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(gpus, "gpus");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(wallTime, "wallTime");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dependency, "dependency");
        Objects.requireNonNull(submittedAt, "submittedAt");
        if (wallTime.isPresent() && (wallTime.get().isNegative() || wallTime.get().isZero())) {
            throw new IllegalArgumentException("job " + id + ": wall time must be positive, got " + wallTime.get());
        }
        if (attainedGpuSeconds < 0) {
            throw new IllegalArgumentException("job " + id + ": attained GPU-seconds cannot be negative");
        }
    }

    /** @return the total number of GPUs */
    public int totalGpus() {
        return shape.totalGpus();
    }

    /**
     * Starts a builder with the defaults of a one-GPU batch job without wall time, constraint, hold or dependency.
     *
     * @param id          the job id
     * @param org         its organisation
     * @param queue       its queue
     * @param submittedAt its submit time
     * @return a builder; not thread safe
     */
    public static Builder builder(JobId id, OrgName org, QueueName queue, Instant submittedAt) {
        return new Builder(id, org, queue, submittedAt);
    }

    /** @return a builder holding this request's values, to derive a changed copy */
    public Builder toBuilder() {
        Builder b = new Builder(id, org, queue, submittedAt);
        b.user = user;
        b.shape = shape;
        b.gpus = gpus;
        b.resources = resources;
        b.wallTime = wallTime;
        b.type = type;
        b.preemptible = preemptible;
        b.held = held;
        b.dependency = dependency;
        b.attainedGpuSeconds = attainedGpuSeconds;
        b.holdsReservation = holdsReservation;
        return b;
    }

    /** Fluent builder of {@link JobRequest}; not thread safe. */
    public static final class Builder {
        private final JobId id;
        private final OrgName org;
        private final QueueName queue;
        private final Instant submittedAt;
        private String user = "user";
        private JobShape shape = new JobShape.Gpus(1);
        private GpuConstraint gpus = GpuConstraint.ANY;
        private Resources resources = Resources.NONE;
        private Optional<Duration> wallTime = Optional.empty();
        private JobType type = JobType.BATCH;
        private boolean preemptible;
        private boolean held;
        private DependencyState dependency = DependencyState.SATISFIED;
        private double attainedGpuSeconds;
        private boolean holdsReservation;

        private Builder(JobId id, OrgName org, QueueName queue, Instant submittedAt) {
            this.id = id;
            this.org = org;
            this.queue = queue;
            this.submittedAt = submittedAt;
        }

        /** @param value the submitting user's login @return this */
        public Builder user(String value) {
            this.user = value;
            return this;
        }

        /** @param value the shape @return this */
        public Builder shape(JobShape value) {
            this.shape = value;
            return this;
        }

        /** @param value accepted flavors @return this */
        public Builder gpus(GpuConstraint value) {
            this.gpus = value;
            return this;
        }

        /** @param value cores and memory @return this */
        public Builder resources(Resources value) {
            this.resources = value;
            return this;
        }

        /** @param value the wall-time limit, null for the queue default @return this */
        public Builder wallTime(Duration value) {
            this.wallTime = Optional.ofNullable(value);
            return this;
        }

        /** @param value the type @return this */
        public Builder type(JobType value) {
            this.type = value;
            return this;
        }

        /** @param value whether the user accepts preemption @return this */
        public Builder preemptible(boolean value) {
            this.preemptible = value;
            return this;
        }

        /** @param value whether it is held @return this */
        public Builder held(boolean value) {
            this.held = value;
            return this;
        }

        /** @param value its dependency state @return this */
        public Builder dependency(DependencyState value) {
            this.dependency = value;
            return this;
        }

        /** @param value GPU-seconds already received @return this */
        public Builder attainedGpuSeconds(double value) {
            this.attainedGpuSeconds = value;
            return this;
        }

        /** @param value whether the previous cycle gave it a reservation @return this */
        public Builder holdsReservation(boolean value) {
            this.holdsReservation = value;
            return this;
        }

        /** @return the request; throws IllegalArgumentException on an invalid value */
        public JobRequest build() {
            return new JobRequest(id, org, user, queue, shape, gpus, resources, wallTime, type, preemptible, held,
                    dependency, submittedAt, attainedGpuSeconds, holdsReservation);
        }
    }
}
