package dev.tellmej.accel.elementwise;

import dev.tellmej.hdl.lib.fp.FpFormat;
import dev.tellmej.model.numerics.StorageFormat;

/** The library's format for a storage format of the model (N4): the HDL library never imports the model. */
public final class Storage {
    private Storage() {}

    /** {@link FpFormat#FP16} or {@link FpFormat#BF16}. */
    public static FpFormat format(StorageFormat storage) {
        return switch (storage) {
            case FP16 -> FpFormat.FP16;
            case BF16 -> FpFormat.BF16;
        };
    }
}
