package dev.tellmej.cli;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine;

/** The devices {@code tellme run --device} can run an image on. */
enum DeviceKind {
    /** The Java reference device: executes the image's program with the hardware-exact operations. */
    REFERENCE(true),
    /** The OpenCL device: the host path of the board, on any OpenCL platform (the kernel's OpenCL C twin off it). */
    OPENCL(true),
    /**
     * The kernel's RTL in Verilator, driven as a host drives the board (register writes, the image in the DDR
     * model, polling): images of the sim-small build.
     */
    RTL(true);

    private final boolean built;

    DeviceKind(boolean built) {
        this.built = built;
    }

    /** False for a device that is planned but does not exist yet. */
    boolean built() {
        return built;
    }

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

    /** The error for a device that is not built yet. */
    CommandFailedException notBuilt() {
        return new CommandFailedException("the " + name().toLowerCase(Locale.ROOT) + " device is not built yet: it"
                + " runs the kernel's RTL in Verilator and needs the kernel's top level (issue 13)",
                "Run on --device reference or --device opencl (docs/host.md lists the devices).");
    }
}
