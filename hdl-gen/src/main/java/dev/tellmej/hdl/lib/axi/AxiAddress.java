package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/**
 * The payload of an AXI4 address channel (AW or AR): the first byte's address, beats minus one, log2 of
 * the bytes per beat, the burst type (0 FIXED, 1 INCR, 2 WRAP) and the transaction ID (null when the
 * interface has none).
 */
public final class AxiAddress implements HwInterface {
    /** INCR: each beat's address follows the previous one. */
    public static final int BURST_INCR = 1;
    /** FIXED: every beat at the same address. */
    public static final int BURST_FIXED = 0;
    /** WRAP: addresses wrap at the burst's aligned span. */
    public static final int BURST_WRAP = 2;

    public final UInt addr;
    public final UInt len;
    public final UInt size;
    public final Bits burst;
    public final UInt id;

    AxiAddress(UInt addr, UInt len, UInt size, Bits burst, UInt id) {
        this.addr = addr;
        this.len = len;
        this.size = size;
        this.burst = burst;
        this.id = id;
    }

    @Override
    public List<Member> members() {
        List<Member> members = new ArrayList<>(List.of(new Member("addr", addr, false), new Member("len", len, false),
                new Member("size", size, false), new Member("burst", burst, false)));
        if (id != null) {
            members.add(new Member("id", id, false));
        }
        return members;
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new AxiAddress((UInt) values.get(0), (UInt) values.get(1), (UInt) values.get(2), (Bits) values.get(3),
                values.size() > 4 ? (UInt) values.get(4) : null);
    }
}
