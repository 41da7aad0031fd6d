package fr.catie.vaniila.training;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The models a built-in training job can train, all built from DJL blocks (nothing downloaded). */
public enum ModelArchitecture {
    /** Multi-layer perceptron: 128 and 64 hidden units, ReLU. Takes any dataset (features flattened). */
    MLP("mlp"),
    /** Small convolutional network: two 3x3 convolutions, max-pooling, one hidden dense layer. Needs images or square feature counts. */
    CNN("cnn"),
    /** Small residual network: a stem convolution, two residual blocks, global average pooling. Same input rule as {@link #CNN}. */
    RESNET("resnet");

    private final String wireName;

    ModelArchitecture(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in job requests and on the command line */
    public String wireName() {
        return wireName;
    }

    /** @return the architecture with this wire name, if any */
    public static Optional<ModelArchitecture> fromWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    /** @return the accepted wire names, for error messages */
    public static String choices() {
        return Arrays.stream(values()).map(ModelArchitecture::wireName).collect(Collectors.joining(", "));
    }
}
