/**
 * The scheduler core: a pure function from a frozen {@link fr.catie.vaniila.scheduler.ClusterSnapshot} and a time
 * to a {@link fr.catie.vaniila.scheduler.Decision} (jobs to start with their allocations, jobs to preempt,
 * reservations, and for every pending job a {@link fr.catie.vaniila.scheduler.PendingReason} with its sentence,
 * queue position and estimated start). Entry points: {@link fr.catie.vaniila.scheduler.Scheduler#schedule} for
 * the scheduling loop, {@link fr.catie.vaniila.scheduler.Scheduler#check} for the submit-time check, and
 * {@link fr.catie.vaniila.scheduler.ClusterFile} for cluster inventories.
 *
 * <p>No framework, database, SSH or training import and no clock (an ArchUnit test keeps it so): the portal's
 * scheduling loop builds the snapshot from the database and commits the decision after re-checking it; the
 * simulator drives the same core with a simulated clock.
 *
 * <p>Glossary: a <em>filter</em> ({@code XxxFilter}) turns a node down for a job with a named
 * {@link fr.catie.vaniila.scheduler.NodeRejection}; a <em>scorer</em> ({@code XxxScorer}) ranks the nodes left;
 * a <em>reservation</em> promises resources to a blocked job at the earliest time the running jobs' wall-time
 * ends allow, and a later job starts now only if it delays no reservation (EASY backfill); an organisation
 * <em>borrows</em> GPUs beyond its guarantee, which may be <em>reclaimed</em> by preemption.
 */
package fr.catie.vaniila.scheduler;
