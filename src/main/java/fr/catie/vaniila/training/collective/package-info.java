/**
 * The collective layer of multi-process training: TCP between one JVM per rank, JDK NIO, no
 * native library. {@link fr.catie.vaniila.training.collective.Collective} joins the ranks from
 * the launcher's environment ({@link fr.catie.vaniila.training.collective.RankEnvironment}) and
 * offers ring all-reduce, broadcast, barrier, neighbour averaging and the point-to-point messages
 * of a parameter server. Failures surface as
 * {@link fr.catie.vaniila.training.collective.CollectiveException} naming the rank at fault.
 * No DJL here: the layer moves floats, the training package decides what they mean.
 */
package fr.catie.vaniila.training.collective;
