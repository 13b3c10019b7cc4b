package dev.tellmej.hdl.imports;

import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/** Turns the parser's error into one sentence: what was found and what was expected. */
final class SyntaxMessages {
    private static final int MAX_LISTED = 8;

    private SyntaxMessages() {}

    static String describe(Recognizer<?, ?> recognizer, Object offendingSymbol, String message, RecognitionException e) {
        if (!(recognizer instanceof Parser parser) || !(offendingSymbol instanceof Token token)) {
            return message;
        }
        String found = token.getType() == Token.EOF ? "the end of the file" : "'" + token.getText() + "'";
        IntervalSet expected = e instanceof NoViableAltException ? null
                : e instanceof InputMismatchException || e == null ? parser.getExpectedTokens() : e.getExpectedTokens();
        if (expected == null || expected.isNil()) {
            return "unexpected " + found;
        }
        String list = expected.toString(parser.getVocabulary());
        if (expected.size() > MAX_LISTED) {
            return "unexpected " + found;
        }
        return "expected " + list.replace("{", "one of ").replace("}", "") + ", found " + found;
    }
}
