package dev.tellmej.hdl.lib;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.Bits;
import dev.tellmej.hdl.Bool;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.testing.TestModule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link LaneSerial}'s choice of physical lanes (the fewest that keep up with a beat every so many cycles) and its
 * refusal of a count that does not divide the lanes; its hardware is tested in Verilator through the units that
 * use it (GatingSimTest, ResidualAddSimTest, ThroughputSimTest in the sim module).
 */
class LaneSerialTest {
    @Test
    void theFewestPhysicalLanesThatKeepUpAreChosen() {
        assertEquals(1, LaneSerial.physicalLanesFor(4, 4), "the kernel's epilogue: a word every 4 cycles");
        assertEquals(1, LaneSerial.physicalLanesFor(4, 9));
        assertEquals(2, LaneSerial.physicalLanesFor(4, 2));
        assertEquals(4, LaneSerial.physicalLanesFor(4, 1), "a beat every cycle needs every lane");
        assertEquals(4, LaneSerial.physicalLanesFor(16, 4));
        assertEquals(2, LaneSerial.physicalLanesFor(6, 4), "6 / 2 = 3 cycles; 6 / 1 = 6 would be too slow");
        assertEquals(1, LaneSerial.physicalLanesFor(1, 1));
    }

    @Test
    void physicalLanesThatDoNotDivideTheLanesAreRefused() {
        HdlUsageException refused = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("serial", m -> {
            Bool take = m.input("take", bool());
            Bits a = m.input("a", bits(8));
            LaneSerial.apply("s", take, List.of(List.of(a, a, a, a)), take, 3,
                    (lane, operands) -> operands.getFirst());
        }));
        assertTrue(refused.getMessage().contains("the physical lanes must divide the 4 lanes, got 3"),
                refused.getMessage());
    }
}
