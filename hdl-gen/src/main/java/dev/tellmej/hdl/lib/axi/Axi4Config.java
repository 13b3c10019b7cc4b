package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;

/**
 * The widths of an AXI4 interface.
 *
 * @param addressWidth address bits (Vitis kernels: 64)
 * @param dataWidth    data bits: a power of two from 8 to 1024
 * @param idWidth      transaction ID bits; 0 leaves out {@code awid}, {@code bid}, {@code arid}, {@code rid}
 */
public record Axi4Config(int addressWidth, int dataWidth, int idWidth) {
    public Axi4Config {
        if (addressWidth < 12 || addressWidth > 64) {
            throw new InvalidParameterException(Locations.capture(), "AXI4 address width must be 12..64, got "
                    + addressWidth);
        }
        if (dataWidth < 8 || dataWidth > 1024 || Integer.bitCount(dataWidth) != 1) {
            throw new InvalidParameterException(Locations.capture(), "AXI4 data width must be a power of two from 8"
                    + " to 1024, got " + dataWidth);
        }
        if (idWidth < 0 || idWidth > 32) {
            throw new InvalidParameterException(Locations.capture(), "AXI4 ID width must be 0..32, got " + idWidth);
        }
    }

    /** A 64-bit-address interface without IDs, as Vitis RTL kernels use, of {@code dataWidth} data bits. */
    public static Axi4Config of(int dataWidth) {
        return new Axi4Config(64, dataWidth, 0);
    }

    /** Bytes per beat at full width. */
    public int dataBytes() {
        return dataWidth / 8;
    }

    /** {@code AxSIZE} of a full-width beat: log2 of {@link #dataBytes()}. */
    public int fullSize() {
        return Integer.numberOfTrailingZeros(dataBytes());
    }

    /** This configuration with IDs of {@code bits} bits. */
    public Axi4Config withIdWidth(int bits) {
        return new Axi4Config(addressWidth, dataWidth, bits);
    }

    /** This configuration with {@code bits} address bits. */
    public Axi4Config withAddressWidth(int bits) {
        return new Axi4Config(bits, dataWidth, idWidth);
    }
}
