package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwInterface;
import java.util.List;

/** The payload of the AXI4 W channel: data, byte strobes (bit i enables byte i) and the burst's last beat. */
public final class AxiWriteData implements HwInterface {
    public final Bits data;
    public final Bits strb;
    public final Bool last;

    AxiWriteData(Bits data, Bits strb, Bool last) {
        this.data = data;
        this.strb = strb;
        this.last = last;
    }

    @Override
    public List<Member> members() {
        return List.of(new Member("data", data, false), new Member("strb", strb, false),
                new Member("last", last, false));
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new AxiWriteData((Bits) values.get(0), (Bits) values.get(1), (Bool) values.get(2));
    }
}
