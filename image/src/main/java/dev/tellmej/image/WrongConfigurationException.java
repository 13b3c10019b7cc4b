package dev.tellmej.image;

/** An image packed for another accelerator build than the one asked to run it. */
public final class WrongConfigurationException extends RuntimeException {
    public WrongConfigurationException(String message) {
        super(message);
    }
}
