package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/** The payload of the AXI4 R channel: data, response, the burst's last beat, and the ID (or null). */
public final class AxiReadData implements HwInterface {
    public final Bits data;
    public final Bits resp;
    public final Bool last;
    public final UInt id;

    AxiReadData(Bits data, Bits resp, Bool last, UInt id) {
        this.data = data;
        this.resp = resp;
        this.last = last;
        this.id = id;
    }

    @Override
    public List<Member> members() {
        List<Member> members = new ArrayList<>(List.of(new Member("data", data, false),
                new Member("resp", resp, false), new Member("last", last, false)));
        if (id != null) {
            members.add(new Member("id", id, false));
        }
        return members;
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new AxiReadData((Bits) values.get(0), (Bits) values.get(1), (Bool) values.get(2),
                values.size() > 3 ? (UInt) values.get(3) : null);
    }
}
