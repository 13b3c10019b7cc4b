package dev.tellmej.cli;

import java.util.List;

/**
 * A command that prints its result as text or, with {@code --json} ({@link JsonOption}), as JSON. Every bench
 * and report command is one; {@code CommandLineTest} checks that docs/cli.md documents every field.
 */
interface PrintsJson {
    /** The records its JSON documents are made of (for a JSON array, the record of its elements). */
    List<Class<? extends Record>> jsonRecords();
}
