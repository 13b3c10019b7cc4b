package dev.tellmej.image;

/** A model the accelerator cannot run as it is: a linear that is not ternary, or a shape the program cannot express. */
public final class UnpackableModelException extends RuntimeException {
    public UnpackableModelException(String message) {
        super(message);
    }
}
