package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.check.ClockDomainCrossingException;
import dev.tellmej.hdl.check.CombinationalLoopException;
import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.LatchException;
import dev.tellmej.hdl.check.MemoryRuleException;
import dev.tellmej.hdl.check.MultipleDriversException;
import dev.tellmej.hdl.check.NameClashException;
import dev.tellmej.hdl.check.ReservedNameException;
import dev.tellmej.hdl.check.ScopeException;
import dev.tellmej.hdl.check.UnassignedRegisterException;
import dev.tellmej.hdl.check.UndrivenSignalException;
import dev.tellmej.hdl.lib.Synchronizer;
import dev.tellmej.hdl.testing.Lines;
import dev.tellmej.hdl.testing.TestModule;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every check: the exception type it raises and the source line it names. */
class ChecksTest {
    private static <T extends HdlException> T expect(Class<T> type, int[] line, Consumer<TestModule> body) {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("T", body));
        assertEquals(1, e.errors().size(), e.getMessage());
        T error = assertInstanceOf(type, e.errors().getFirst(), e.getMessage());
        assertEquals("ChecksTest.java:" + line[0], error.location().toString(), e.getMessage());
        assertTrue(e.getMessage().contains("ChecksTest.java:" + line[0] + ": "), e.getMessage());
        return error;
    }

    /** A child whose output follows its input combinationally. */
    static final class PassThrough extends Module {
        final UInt in = in("in", uint(4));
        final UInt out = out("out", uint(4));
        final UInt internal;

        PassThrough() {
            internal = reg("internal", uint(4), 0);
            internal.set(in);
            out.set(in.add(1));
        }
    }

    // ---- undriven ----

    @Test
    void anOutputNobodyAssignsIsUndriven() {
        int[] line = new int[1];
        var error = expect(UndrivenSignalException.class, line, m -> {
            line[0] = Lines.next();
            m.output("y", uint(8));
        });
        assertTrue(error.detail().contains("output port 'y' of T is never assigned"), error.detail());
    }

    @Test
    void undrivenBitsAreNamed() {
        int[] line = new int[1];
        var error = expect(UndrivenSignalException.class, line, m -> {
            UInt a = m.input("a", uint(8));
            line[0] = Lines.next();
            UInt y = m.output("y", uint(8));
            y.slice(3, 0).set(a.slice(3, 0));
            y.slice(6, 6).set(a.slice(6, 6));
        });
        assertTrue(error.detail().contains("bits 7, 5..4 of output port 'y'"), error.detail());
    }

    @Test
    void anUndrivenChildInputPointsAtTheInstance() {
        int[] line = new int[1];
        var error = expect(UndrivenSignalException.class, line, m -> {
            UInt y = m.output("y", uint(4));
            line[0] = Lines.next();
            PassThrough child = m.child("child", new PassThrough());
            y.set(child.out);
        });
        assertTrue(error.detail().contains("input of instance 'child'"), error.detail());
    }

    // ---- multiple drivers ----

    @Test
    void assigningAnInputIsAMultipleDriver() {
        int[] line = new int[1];
        expect(MultipleDriversException.class, line, m -> {
            UInt a = m.input("a", uint(8));
            line[0] = Lines.next();
            a.set(0);
        });
    }

    @Test
    void assigningAChildOutputIsAMultipleDriver() {
        int[] line = new int[1];
        expect(MultipleDriversException.class, line, m -> {
            UInt a = m.input("a", uint(4));
            UInt y = m.output("y", uint(4));
            PassThrough child = m.child("child", new PassThrough());
            child.in.set(a);
            y.set(child.out);
            line[0] = Lines.next();
            child.out.set(a);
        });
    }

    // ---- latches ----

    @Test
    void aWireAssignedOnlyUnderAConditionIsALatch() {
        int[] line = new int[1];
        var error = expect(LatchException.class, line, m -> {
            UInt a = m.input("a", uint(8));
            Bool c = m.input("c", bool());
            UInt y = m.output("y", uint(8));
            line[0] = Lines.next();
            when(c, () -> y.set(a));
        });
        assertTrue(error.detail().contains("output 'y' of T is not assigned on every path"), error.detail());
    }

    @Test
    void partialLatchesNameTheBits() {
        int[] line = new int[1];
        var error = expect(LatchException.class, line, m -> {
            UInt a = m.input("a", uint(8));
            Bool c = m.input("c", bool());
            UInt y = m.output("y", uint(8));
            y.slice(3, 0).set(a.slice(3, 0));
            line[0] = Lines.next();
            when(c, () -> y.slice(7, 4).set(a.slice(7, 4))).otherwise(() -> y.slice(7, 5).set(a.slice(2, 0)));
        });
        assertTrue(error.detail().contains("(bits 4)"), error.detail());
    }

    @Test
    void defaultsFullBranchesAndExhaustiveSwitchesAreNotLatches() {
        assertDoesNotThrow(() -> TestModule.elaborate("T", m -> {
            UInt a = m.input("a", uint(8));
            Bool c = m.input("c", bool());
            UInt sel = m.input("sel", uint(2));
            UInt withDefault = m.output("with_default", uint(8));
            UInt bothBranches = m.output("both_branches", uint(8));
            UInt viaSwitch = m.output("via_switch", uint(8));
            withDefault.set(0);
            when(c, () -> withDefault.set(a));
            when(c, () -> bothBranches.set(a)).otherwise(() -> bothBranches.set(a.add(1)));
            switchOn(sel).is(0, () -> viaSwitch.set(1)).is(1, () -> viaSwitch.set(2))
                    .is(2, () -> viaSwitch.set(3)).is(3, () -> viaSwitch.set(a));
        }));
    }

    // ---- combinational loops ----

    @Test
    void aLoopInsideAModuleIsReportedWithItsPath() {
        int[] line = new int[1];
        var error = expect(CombinationalLoopException.class, line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(8));
            UInt first = wire("first", uint(8));
            UInt second = wire("second", uint(8));
            line[0] = Lines.next();
            first.set(second.add(a));
            second.set(first);
            y.set(second);
        });
        assertEquals(2, error.loop().size(), error.detail());
        assertTrue(error.detail().contains("T.first") && error.detail().contains("T.second"), error.detail());
    }

    @Test
    void aLoopThroughAChildIsReportedAcrossTheBoundary() {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("T", m -> {
            UInt y = m.output("y", uint(4));
            PassThrough child = m.child("child", new PassThrough());
            child.in.set(child.out);
            y.set(child.out);
        }));
        CombinationalLoopException error = assertInstanceOf(CombinationalLoopException.class, e.errors().getFirst(), e.getMessage());
        assertTrue(error.loop().stream().anyMatch(step -> step.startsWith("T.child.out")), error.loop().toString());
        assertTrue(error.loop().stream().anyMatch(step -> step.startsWith("T.child_in")), error.loop().toString());
    }

    @Test
    void aRegisterBreaksALoop() {
        assertDoesNotThrow(() -> TestModule.elaborate("T", m -> {
            UInt y = m.output("y", uint(8));
            UInt count = reg("count", uint(8), 0);
            UInt next = wire("next", uint(8));
            next.set(count.add(1));
            count.set(next);
            y.set(count);
        }));
    }

    // ---- registers ----

    @Test
    void aRegisterNeverAssignedIsReportedAtItsDeclaration() {
        int[] line = new int[1];
        expect(UnassignedRegisterException.class, line, m -> {
            UInt y = m.output("y", uint(8));
            line[0] = Lines.next();
            UInt r = reg("r", uint(8), 5);
            y.set(r);
        });
    }

    // ---- names ----

    @Test
    void aPortNamedWithAKeywordIsRejected() {
        int[] line = new int[1];
        var error = expect(ReservedNameException.class, line, m -> {
            line[0] = Lines.next();
            m.input("end", bool());
        });
        assertTrue(error.detail().contains("port 'end'"), error.detail());
        expect(ReservedNameException.class, line, m -> {
            line[0] = Lines.next();
            m.input("logic", bool());
        });
    }

    @Test
    void twoSignalsWithOneNameClash() {
        int[] line = new int[1];
        expect(NameClashException.class, line, m -> {
            UInt y = m.output("y", uint(8));
            UInt x = wire("x", uint(8));
            line[0] = Lines.next();
            UInt again = wire("x", uint(8));
            x.set(1);
            again.set(2);
            y.set(x.add(again));
        });
    }

    // ---- scope ----

    @Test
    void readingAChildsInternalSignalIsAScopeError() {
        int[] line = new int[1];
        expect(ScopeException.class, line, m -> {
            UInt a = m.input("a", uint(4));
            UInt y = m.output("y", uint(4));
            PassThrough child = m.child("child", new PassThrough());
            child.in.set(a);
            line[0] = Lines.next();
            y.set(child.internal);
        });
    }

    @Test
    void aChildNotPlacedIsAUsageError() {
        HdlUsageException e = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("T", m -> {
            new PassThrough();
            m.input("late", bool());
        }));
        assertTrue(e.getMessage().contains("was never placed"), e.getMessage());
    }

    // ---- clock domains ----

    @Test
    void samplingAnotherDomainWithoutASynchronizerIsAnError() {
        int[] line = new int[1];
        var error = expect(ClockDomainCrossingException.class, line, m -> {
            Bool a = m.input("a", bool());
            Bool y = m.output("y", bool());
            ClockDomain fast = m.domain("fast_clk", "fast_reset");
            Bool slow = regNext("slow", a, 0);
            Bool[] sampled = new Bool[1];
            withClockDomain(fast, () -> {
                line[0] = Lines.next();
                sampled[0] = regNext("sampled", slow.not(), 0);
            });
            y.set(sampled[0]);
        });
        assertTrue(error.detail().contains("'sampled'") && error.detail().contains("T.slow"), error.detail());
    }

    @Test
    void aSynchronizerMayCrossDomainsAndAChildSharesItsParentsDomain() {
        assertDoesNotThrow(() -> TestModule.elaborate("T", m -> {
            Bool a = m.input("a", bool());
            UInt y = m.output("y", uint(4));
            Bool z = m.output("z", bool());
            ClockDomain fast = m.domain("fast_clk", "fast_reset");
            Bool slow = regNext("slow", a, 0);
            z.set(Synchronizer.bit("slow_sync", slow, fast, 2));
            PassThrough child = m.child("child", new PassThrough());
            child.in.set(regNext("to_child", a.asUInt().zext(4), 0));
            y.set(regNext("from_child", child.out, 0));
        }));
    }

    // ---- memories ----

    @Test
    void ultraRamCannotHaveInitialContents() {
        int[] line = new int[1];
        expect(MemoryRuleException.class, line, m -> {
            UInt addr = m.input("addr", uint(12));
            Bits y = m.output("y", bits(72));
            line[0] = Lines.next();
            Mem<Bits> ram = mem("ram", bits(72), 4096).style(RamStyle.ULTRA).init(1, 2, 3);
            y.set(ram.readSync("q", addr, TRUE, 2));
        });
    }

    @Test
    void ultraRamNeedsAnOutputRegister() {
        int[] line = new int[1];
        var error = expect(MemoryRuleException.class, line, m -> {
            UInt addr = m.input("addr", uint(12));
            Bits d = m.input("d", bits(72));
            Bits y = m.output("y", bits(72));
            Mem<Bits> ram = mem("ram", bits(72), 4096).style(RamStyle.ULTRA);
            ram.write(addr, d);
            line[0] = Lines.next();
            y.set(ram.readSync("q", addr, TRUE, 1));
        });
        assertTrue(error.detail().contains("latency of at least 2"), error.detail());
    }

    @Test
    void blockAndUltraRamCannotBeReadAsynchronously() {
        for (RamStyle style : new RamStyle[] {RamStyle.BLOCK, RamStyle.ULTRA}) {
            int[] line = new int[1];
            expect(MemoryRuleException.class, line, m -> {
                UInt addr = m.input("addr", uint(10));
                Bits d = m.input("d", bits(36));
                Bits y = m.output("y", bits(36));
                Mem<Bits> ram = mem("ram", bits(36), 1024).style(style);
                ram.write(addr, d);
                line[0] = Lines.next();
                y.set(ram.readAsync(addr));
            });
        }
    }

    @Test
    void writeFirstNeedsASingleUnmaskedWrite() {
        int[] line = new int[1];
        expect(MemoryRuleException.class, line, m -> {
            UInt addr = m.input("addr", uint(4));
            Bits d = m.input("d", bits(8));
            Bits y = m.output("y", bits(8));
            line[0] = Lines.next();
            Mem<Bits> ram = mem("ram", bits(8), 16).style(RamStyle.BLOCK).readUnderWrite(ReadUnderWrite.WRITE_FIRST);
            ram.write(addr, d);
            ram.write(addr.add(1), d);
            y.set(ram.readSync("q", addr));
        });
    }

    // ---- all together ----

    @Test
    void errorsOfDifferentChecksAreReportedTogether() {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("T", m -> {
            UInt a = m.input("a", uint(8));
            Bool c = m.input("c", bool());
            UInt latched = m.output("latched", uint(8));
            m.output("undriven", uint(8));
            m.input("begin", bool());
            when(c, () -> latched.set(a));
            UInt wide = m.output("wide", uint(9));
            wide.set(a);
        }));
        assertEquals(4, e.errors().size(), e.getMessage());
        assertEquals(1, e.errorsOf(LatchException.class).size());
        assertEquals(1, e.errorsOf(UndrivenSignalException.class).size());
        assertEquals(1, e.errorsOf(ReservedNameException.class).size());
        assertEquals(1, e.errorsOf(dev.tellmej.hdl.check.WidthMismatchException.class).size());
    }
}
