package dev.tellmej.hdl;

/** What a synchronous read returns when the same cycle writes the address it reads. */
public enum ReadUnderWrite {
    /** The old contents (the natural behaviour of a registered read; every RAM style supports it). */
    READ_FIRST,
    /** The data being written (emitted as an explicit bypass; not available for ULTRA). */
    WRITE_FIRST,
    /** Either; the design never relies on it. */
    DONT_CARE
}
