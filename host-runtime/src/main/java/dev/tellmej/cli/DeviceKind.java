package dev.tellmej.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;

/** The devices {@code tellme run --device} can run an image on. */
enum DeviceKind {
    /** The Java reference device: executes the image's program with the hardware-exact operations. */
    REFERENCE,
    /** The OpenCL device: the host path of the board, on any OpenCL platform (the kernel's OpenCL C twin off it). */
    OPENCL;

    /** The kind named {@code value} (case-insensitive). */
    static DeviceKind parse(String value) {
        for (DeviceKind k : values()) {
            if (k.name().equalsIgnoreCase(value)) {
                return k;
            }
        }
        throw new CommandLine.TypeConversionException("unknown device '" + value + "' (" + String.join(", ",
                Arrays.stream(values()).map(k -> k.name().toLowerCase(Locale.ROOT)).toList()) + ")");
    }
}
