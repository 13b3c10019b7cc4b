package dev.tellmej.model;

import java.nio.file.Path;

/**
 * The file is well formed but stores a tensor in an encoding this project does not read (for example
 * bitnet.cpp's TL1/TL2, whose layout depends on a per-model kernel configuration, or an unknown type code).
 */
public final class UnsupportedTensorTypeException extends ModelFileException {
    public UnsupportedTensorTypeException(Path file, String field, long offset, String problem) {
        super(file, field, offset, problem);
    }
}
