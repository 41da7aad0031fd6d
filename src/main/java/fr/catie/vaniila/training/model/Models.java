package fr.catie.vaniila.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import fr.catie.vaniila.training.ModelArchitecture;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the models of the built-in training job from DJL blocks, so nothing is downloaded.
 * Batch-normalisation is left out on purpose: its running statistics are parameters without
 * gradients that each rank would update differently, and the data-parallel invariant (identical
 * weights on every rank after every synchronous step) would not hold.
 *
 * <p>Stateless and thread-safe.
 */
public final class Models {

    private Models() {
    }

    /**
     * @param architecture which model
     * @param sampleShape  shape of one sample: {@code {n}} or {@code {c, h, w}}
     * @param classes      number of output classes
     * @return the block, and the shape of one input batch row it expects
     * @throws IllegalArgumentException when the samples cannot feed a convolutional model
     */
    public static BuiltModel build(ModelArchitecture architecture, long[] sampleShape, int classes) {
        long length = Arrays.stream(sampleShape).reduce(1, (a, b) -> a * b);
        switch (architecture) {
            case MLP:
                return new BuiltModel(mlp(classes), new Shape(length));
            case CNN:
                return new BuiltModel(cnn(classes), imageShape(sampleShape, architecture));
            case RESNET:
                return new BuiltModel(resnet(classes), imageShape(sampleShape, architecture));
            default:
                throw new IllegalArgumentException("unknown architecture " + architecture);
        }
    }

    private static Shape imageShape(long[] sampleShape, ModelArchitecture architecture) {
        if (sampleShape.length == 3) {
            return new Shape(sampleShape);
        }
        long n = sampleShape[0];
        long side = Math.round(Math.sqrt(n));
        if (side * side != n) {
            throw new IllegalArgumentException("model \"" + architecture.wireName() + "\" needs images: the dataset has "
                    + n + " features, which is not a square image; use model \"mlp\" or an image folder");
        }
        return new Shape(1, side, side);
    }

    private static Block mlp(int classes) {
        return new SequentialBlock()
                .add(Linear.builder().setUnits(128).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Conv2d conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    private static Block cnn(int classes) {
        return new SequentialBlock()
                .add(conv(16))
                .add(Activation::relu)
                .add(conv(32))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(64).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(classes).build());
    }

    private static Block residual(int filters) {
        SequentialBlock branch = new SequentialBlock().add(conv(filters)).add(Activation::relu).add(conv(filters));
        return new SequentialBlock()
                .add(new ParallelBlock(list -> {
                    NDArray sum = list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow());
                    return new NDList(sum);
                }, List.of(branch, Blocks.identityBlock())))
                .add(Activation::relu);
    }

    private static Block resnet(int classes) {
        return new SequentialBlock()
                .add(conv(16))
                .add(Activation::relu)
                .add(residual(16))
                .add(residual(16))
                .add(Pool.globalAvgPool2dBlock())
                .add(Linear.builder().setUnits(classes).build());
    }

    /**
     * A model ready to initialise.
     *
     * @param block      the network
     * @param inputShape shape of one sample as the network takes it (without the batch axis)
     */
    public record BuiltModel(Block block, Shape inputShape) {
    }
}
