package dev.tellmej.accel.protocol;

/** How the bits of an instruction field are read. */
public enum FieldKind {
    /** An unsigned integer (a count, a dimension or a layer). */
    UNSIGNED,
    /** A byte offset from the image's base address (32 bits: the PL sees at most 2 GB of DDR). */
    IMAGE_OFFSET,
    /** An IEEE binary32 value, as its bit pattern. */
    FLOAT32,
    /** An {@link OnChipBuffer} id. */
    BUFFER,
    /** An {@link Epilogue} id. */
    EPILOGUE,
    /** One bit: set or clear. */
    FLAG
}
