package dev.tellmej.hdl;

import static dev.tellmej.hdl.Hdl.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.hdl.check.ElaborationException;
import dev.tellmej.hdl.check.HdlUsageException;
import dev.tellmej.hdl.check.InvalidParameterException;
import dev.tellmej.hdl.check.WidthMismatchException;
import dev.tellmej.hdl.ir.Kind;
import dev.tellmej.hdl.testing.Lines;
import dev.tellmej.hdl.testing.TestModule;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every width rule of the language: the result types of legal operations and the errors of illegal ones. */
class WidthRulesTest {
    /** Elaborates {@code body} and expects exactly one width error, at {@code line}. */
    private static void expectWidthError(int[] line, Consumer<TestModule> body, String messagePart) {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("T", body));
        assertEquals(1, e.errors().size(), e.getMessage());
        WidthMismatchException error = assertInstanceOf(WidthMismatchException.class, e.errors().getFirst());
        assertEquals(line[0], error.location().line(), e.getMessage());
        assertEquals("WidthRulesTest.java", error.location().file());
        assertTrue(error.getMessage().contains(messagePart), error.getMessage());
    }

    private static void check(Consumer<TestModule> body) {
        TestModule.elaborate("T", body);
    }

    @Test
    void addAndSubKeepTheWiderWidthExpandingVariantsAddABit() {
        check(m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(12));
            SInt s = m.input("s", sint(5));
            SInt t = m.input("t", sint(9));
            assertEquals(uint(12).type(), a.add(b).type());
            assertEquals(uint(12).type(), b.sub(a).type());
            assertEquals(uint(13).type(), a.addExpand(b).type());
            assertEquals(uint(13).type(), a.subExpand(b).type());
            assertEquals(sint(9).type(), s.add(t).type());
            assertEquals(sint(10).type(), s.addExpand(t).type());
            assertEquals(uint(8).type(), a.add(255).type());
            assertEquals(sint(5).type(), s.sub(-16).type());
            assertEquals(sint(5).type(), s.neg().type());
        });
    }

    @Test
    void multiplySumsTheWidths() {
        check(m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(12));
            SInt s = m.input("s", sint(27));
            SInt t = m.input("t", sint(18));
            assertEquals(uint(20).type(), a.mul(b).type());
            assertEquals(sint(45).type(), s.mul(t).type());
        });
    }

    @Test
    void constantShiftsChangeTheWidthDynamicOnesKeepIt() {
        check(m -> {
            UInt a = m.input("a", uint(8));
            UInt amount = m.input("amount", uint(3));
            SInt s = m.input("s", sint(8));
            assertEquals(uint(11).type(), a.shl(3).type());
            assertEquals(uint(5).type(), a.shr(3).type());
            assertEquals(uint(8).type(), a.shlKeep(amount).type());
            assertEquals(uint(8).type(), a.shrKeep(amount).type());
            assertEquals(sint(6).type(), s.shr(2).type());
            assertEquals(uint(8).type(), a.rotateLeft(3).type());
            assertEquals(uint(8).type(), a.rotateRight(11).type());
        });
    }

    @Test
    void slicesConcatenationsAndBitsKeepTheirKind() {
        check(m -> {
            UInt a = m.input("a", uint(16));
            SInt s = m.input("s", sint(16));
            Bits b = m.input("b", bits(4));
            assertEquals(uint(8).type(), a.slice(11, 4).type());
            assertEquals(sint(4).type(), s.slice(15, 12).type());
            assertEquals(Kind.BOOL, a.bit(3).type().kind());
            assertEquals(Kind.BOOL, a.msb().type().kind());
            assertEquals(bits(36).type(), cat(a, s, b).type());
            assertEquals(uint(4).type(), a.lsbs(4).type());
            assertEquals(uint(4).type(), a.msbs(4).type());
            assertEquals(bits(2).type(), b.slice(1, 0).slice(1, 0).type());
        });
    }

    @Test
    void comparisonsReductionsAndMuxGiveTheExpectedTypes() {
        check(m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(12));
            Bool c = m.input("c", bool());
            assertEquals(Kind.BOOL, a.lt(b).type().kind());
            assertEquals(Kind.BOOL, a.eq(b).type().kind());
            assertEquals(Kind.BOOL, a.andR().type().kind());
            assertEquals(Kind.BOOL, a.xorR().type().kind());
            assertEquals(uint(8).type(), mux(c, a, a.add(1)).type());
            assertEquals(uint(8).type(), c.mux(a, a).type());
        });
    }

    @Test
    void castsKeepTheWidthResizingIsExplicit() {
        check(m -> {
            UInt a = m.input("a", uint(8));
            SInt s = m.input("s", sint(8));
            Bits b = m.input("b", bits(8));
            assertEquals(sint(8).type(), a.asSInt().type());
            assertEquals(uint(8).type(), s.asUInt().type());
            assertEquals(bits(8).type(), a.asBits().type());
            assertEquals(uint(8).type(), b.asUInt().type());
            assertEquals(sint(9).type(), a.toSInt().type());
            assertEquals(uint(16).type(), a.resize(16).type());
            assertEquals(uint(4).type(), a.resize(4).type());
            assertEquals(uint(12).type(), a.zext(12).type());
            assertEquals(sint(12).type(), s.sext(12).type());
            assertEquals(bits(10).type(), b.sext(10).type());
            assertEquals(sint(3).type(), s.trunc(3).type());
        });
    }

    @Test
    void assigningUnequalWidthsIsAnError() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(9));
            line[0] = Lines.next();
            y.set(a);
        }, "cannot assign UInt(8) to 'y' (UInt(9))");
    }

    @Test
    void bitwiseOperandsMustHaveEqualWidths() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            Bits a = m.input("a", bits(8));
            Bits b = m.input("b", bits(7));
            Bits y = m.output("y", bits(8));
            line[0] = Lines.next();
            y.set(a.xor(b));
        }, "widths must be equal");
    }

    @Test
    void bitsEqualityNeedsEqualWidths() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            Bits a = m.input("a", bits(8));
            Bits b = m.input("b", bits(9));
            Bool y = m.output("y", bool());
            line[0] = Lines.next();
            y.set(a.eq(b));
        }, "comparing Bits(8) with Bits(9)");
    }

    @Test
    void muxArmsMustMatch() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt b = m.input("b", uint(9));
            Bool c = m.input("c", bool());
            UInt y = m.output("y", uint(8));
            line[0] = Lines.next();
            y.set(mux(c, a, b.trunc(8)).add(mux(c, a, b).trunc(8)));
        }, "mux arms differ");
    }

    @Test
    void literalsMustFit() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(8));
            line[0] = Lines.next();
            y.set(a.add(256));
        }, "literal 256 does not fit UInt(8)");
        expectWidthError(line, m -> {
            SInt y = m.output("y", sint(4));
            line[0] = Lines.next();
            y.set(-9);
        }, "literal -9 does not fit SInt(4)");
    }

    @Test
    void truncCannotWidenAndExtensionsCannotNarrow() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(8));
            line[0] = Lines.next();
            y.set(a.trunc(9).trunc(8));
        }, "trunc(9) cannot widen UInt(8)");
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(4));
            line[0] = Lines.next();
            y.set(a.zext(4));
        }, "zext(4) cannot narrow UInt(8)");
    }

    @Test
    void slicesMustStayInside() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(2));
            line[0] = Lines.next();
            y.set(a.slice(8, 7));
        }, "slice(8, 7) is outside UInt(8)");
    }

    @Test
    void shrMustLeaveBits() {
        int[] line = new int[1];
        expectWidthError(line, m -> {
            UInt a = m.input("a", uint(4));
            UInt y = m.output("y", uint(1));
            line[0] = Lines.next();
            y.set(a.shr(4));
        }, "shr(4) leaves no bits");
    }

    @Test
    void allWidthErrorsAreReportedTogether() {
        ElaborationException e = assertThrows(ElaborationException.class, () -> TestModule.elaborate("T", m -> {
            UInt a = m.input("a", uint(8));
            UInt y = m.output("y", uint(9));
            UInt z = m.output("z", uint(7));
            y.set(a);
            z.set(a);
        }));
        assertEquals(2, e.errorsOf(WidthMismatchException.class).size(), e.getMessage());
        assertTrue(e.getMessage().startsWith("2 errors in T:"), e.getMessage());
    }

    @Test
    void impossibleTypesAreRejectedAtOnce() {
        assertThrows(InvalidParameterException.class, () -> uint(0));
        assertThrows(InvalidParameterException.class, () -> bits(-3));
    }

    @Test
    void templatesAreNotHardware() {
        HdlUsageException e = assertThrows(HdlUsageException.class, () -> TestModule.elaborate("T", m -> uint(8).add(1)));
        assertTrue(e.getMessage().contains("type template"), e.getMessage());
    }
}
