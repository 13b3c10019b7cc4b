package dev.tellmej.hdl.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The line-breaking printer: flat when a group fits, else broken at its own break points, outermost first. */
class DocTest {
    private static Doc chain(String symbol, Doc... operands) {
        Doc[] parts = new Doc[operands.length * 3 - 2];
        int k = 0;
        for (int i = 0; i < operands.length; i++) {
            if (i > 0) {
                parts[k++] = Doc.SPACE;
                parts[k++] = Doc.text(symbol + " ");
            }
            parts[k++] = operands[i];
        }
        return new Doc.Paren(Doc.cat(parts));
    }

    private static Doc assign(String target, Doc value) {
        return Doc.cat(Doc.text("assign " + target + " ="), Doc.group(new Doc.Nest(4, Doc.cat(Doc.SPACE, Doc.bare(value)))),
                Doc.text(";"));
    }

    @Test
    void aGroupThatFitsStaysOnOneLine() {
        Doc doc = assign("y", chain("&", Doc.text("a"), Doc.text("b")));
        assertEquals("assign y = a & b;", Doc.layout(doc, 0, 120));
        assertEquals("assign y = a & b;", Doc.flat(doc));
    }

    @Test
    void theValueMovesToTheNextLineAndBreaksBeforeItsOutermostOperators() {
        Doc inner = chain("&", Doc.text("c_long_name"), Doc.text("d_long_name"));
        Doc doc = assign("y", chain("|", Doc.text("a_long_name"), Doc.text("b_long_name"), inner));
        assertEquals("""
                assign y =
                    a_long_name
                    | b_long_name
                    | (c_long_name & d_long_name);""", Doc.layout(doc, 0, 40));
        // Narrower still: the inner parenthesis breaks too, its operands aligned after it.
        assertEquals("""
                assign y =
                    a_long_name
                    | b_long_name
                    | (c_long_name
                       & d_long_name);""", Doc.layout(doc, 0, 30));
    }

    @Test
    void theTextAfterAGroupCountsTowardsWhetherItFits() {
        Doc doc = Doc.cat(Doc.text("if ("), new Doc.Align(Doc.bare(chain("&", Doc.text("aaaa"), Doc.text("bbbb")))),
                Doc.text(") begin"));
        assertEquals("if (aaaa & bbbb) begin", Doc.layout(doc, 0, 22));
        assertEquals("if (aaaa\n    & bbbb) begin", Doc.layout(doc, 0, 21));
    }

    @Test
    void concatenationPartsGoOnePerLineAlignedAfterTheBrace() {
        Doc doc = Doc.list("{", List.of(Doc.text("first_part"), Doc.text("second_part"), Doc.text("3'd0")), ",", "}");
        assertEquals("{first_part, second_part, 3'd0}", Doc.layout(doc, 0, 80));
        assertEquals("  x = {first_part,\n       second_part,\n       3'd0}",
                "  x = " + Doc.layout(doc, 6, 20));
    }

    @Test
    void aBrokenConditionalChainDropsItsInnerParentheses() {
        Doc inner = Doc.group(Doc.cat(Doc.text("s2"), new Doc.Nest(2, Doc.cat(Doc.SPACE, Doc.text("? "), Doc.text("b")))));
        Doc outer = Doc.group(Doc.cat(Doc.text("s1"), new Doc.Nest(2, Doc.cat(Doc.SPACE, Doc.text("? "), Doc.text("a")))));
        Doc chain = new Doc.Paren(Doc.cat(outer, Doc.SPACE, Doc.text(": "), new Doc.IfBroken(Doc.EMPTY, Doc.text("(")),
                inner, Doc.SPACE, Doc.text(": "), Doc.text("c"), new Doc.IfBroken(Doc.EMPTY, Doc.text(")"))));
        assertEquals("(s1 ? a : (s2 ? b : c))", Doc.flat(chain));
        assertEquals("y <=\n    s1 ? a\n    : s2 ? b\n    : c;", Doc.layout(Doc.cat(Doc.text("y <="),
                Doc.group(new Doc.Nest(4, Doc.cat(Doc.SPACE, Doc.bare(chain)))), Doc.text(";")), 0, 12));
    }

    @Test
    void textLongerThanTheLineIsWrittenWhole() {
        Doc doc = chain("+", Doc.text("a".repeat(30)), Doc.text("b"));
        assertEquals("(" + "a".repeat(30) + "\n + b)", Doc.layout(doc, 0, 10));
    }
}
