/** The models of the built-in training job, built from DJL blocks: MLP, a small CNN and a small ResNet. */
package fr.catie.vaniila.training.model;
