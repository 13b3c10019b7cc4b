package dev.tellmej.hdl.lib.axi;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.HwInterface;
import dev.tellmej.hdl.UInt;
import java.util.ArrayList;
import java.util.List;

/** The payload of the AXI4 B channel: the response (0 OKAY, 2 SLVERR, 3 DECERR) and the ID (or null). */
public final class AxiWriteResponse implements HwInterface {
    public final Bits resp;
    public final UInt id;

    AxiWriteResponse(Bits resp, UInt id) {
        this.resp = resp;
        this.id = id;
    }

    @Override
    public List<Member> members() {
        List<Member> members = new ArrayList<>(List.of(new Member("resp", resp, false)));
        if (id != null) {
            members.add(new Member("id", id, false));
        }
        return members;
    }

    @Override
    public HwInterface withMembers(List<Object> values) {
        return new AxiWriteResponse((Bits) values.get(0), values.size() > 1 ? (UInt) values.get(1) : null);
    }
}
