/**
 * Training data: reading the built-in digits set, CSV files and image folders into
 * {@link fr.catie.vaniila.training.data.Examples}, the seeded train/test split and per-rank shards.
 * Plain Java, no DJL.
 */
package fr.catie.vaniila.training.data;
