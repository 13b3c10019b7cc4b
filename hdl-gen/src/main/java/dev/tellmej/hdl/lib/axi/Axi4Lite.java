package dev.tellmej.hdl.lib.axi;

import static dev.tellmej.hdl.Hdl.bits;
import static dev.tellmej.hdl.Hdl.bool;
import static dev.tellmej.hdl.Hdl.uint;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.ir.Locations;
import java.util.List;

/**
 * An AXI4-Lite interface with 32-bit data, flattened as Vitis expects a kernel's control port: declared
 * as {@code in("s_axi_control", Axi4Lite.slave(6))} it becomes {@code s_axi_control_awvalid},
 * {@code s_axi_control_awready}, {@code s_axi_control_awaddr}, {@code s_axi_control_wvalid}, ...,
 * {@code s_axi_control_rresp}. Members the slave drives are flipped, as in {@link Axi4}. There is no
 * {@code prot} signal.
 */
public final class Axi4Lite implements HwInterface {
    /** Data bits (AXI4-Lite control ports of Vitis kernels are 32 bits wide). */
    public static final int DATA_WIDTH = 32;

    public final Bool awvalid;
    public final Bool awready;
    public final UInt awaddr;
    public final Bool wvalid;
    public final Bool wready;
    public final Bits wdata;
    public final Bits wstrb;
    public final Bool bvalid;
    public final Bool bready;
    public final Bits bresp;
    public final Bool arvalid;
    public final Bool arready;
    public final UInt araddr;
    public final Bool rvalid;
    public final Bool rready;
    public final Bits rdata;
    public final Bits rresp;

    private Axi4Lite(List<Object> v) {
        awvalid = (Bool) v.get(0);
        awready = (Bool) v.get(1);
        awaddr = (UInt) v.get(2);
        wvalid = (Bool) v.get(3);
        wready = (Bool) v.get(4);
        wdata = (Bits) v.get(5);
        wstrb = (Bits) v.get(6);
        bvalid = (Bool) v.get(7);
        bready = (Bool) v.get(8);
        bresp = (Bits) v.get(9);
        arvalid = (Bool) v.get(10);
        arready = (Bool) v.get(11);
        araddr = (UInt) v.get(12);
        rvalid = (Bool) v.get(13);
        rready = (Bool) v.get(14);
        rdata = (Bits) v.get(15);
        rresp = (Bits) v.get(16);
    }

    /** A template with {@code addressWidth} address bits; {@code in(name, ...)} declares the slave side. */
    public static Axi4Lite slave(int addressWidth) {
        return template(addressWidth);
    }

    /** The same template; {@code out(name, ...)} declares the master side. */
    public static Axi4Lite master(int addressWidth) {
        return template(addressWidth);
    }

    private static Axi4Lite template(int addressWidth) {
        if (addressWidth < 2 || addressWidth > 64) {
            throw new InvalidParameterException(Locations.capture(), "AXI4-Lite address width must be 2..64, got "
                    + addressWidth);
        }
        return new Axi4Lite(List.of(bool(), bool(), uint(addressWidth), bool(), bool(), bits(DATA_WIDTH),
                bits(DATA_WIDTH / 8), bool(), bool(), bits(2), bool(), bool(), uint(addressWidth), bool(), bool(),
                bits(DATA_WIDTH), bits(2)));
    }

    /** Address bits. */
    public int addressWidth() {
        return awaddr.width();
    }

    @Override
    public List<Member> members() {
        return List.of(new Member("awvalid", awvalid, false), new Member("awready", awready, true),
                new Member("awaddr", awaddr, false), new Member("wvalid", wvalid, false),
                new Member("wready", wready, true), new Member("wdata", wdata, false),
                new Member("wstrb", wstrb, false), new Member("bvalid", bvalid, true),
                new Member("bready", bready, false), new Member("bresp", bresp, true),
                new Member("arvalid", arvalid, false), new Member("arready", arready, true),
                new Member("araddr", araddr, false), new Member("rvalid", rvalid, true),
                new Member("rready", rready, false), new Member("rdata", rdata, true),
                new Member("rresp", rresp, true));
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new Axi4Lite(values);
    }
}
