package dev.tellmej.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * Writes a command's result as JSON (Jackson), so scripts need not parse the text. A record becomes an object of
 * its components in declaration order (the field names docs/cli.md lists) and nothing else; collections and
 * arrays become arrays; maps objects; enums their lower-case names; paths strings; durations seconds; integral
 * numbers plain integers; NaN and infinities null. Indented by two spaces, one member or element per line.
 */
final class Json {
    private static final ObjectWriter WRITER = mapper().writer(printer());

    private Json() {}

    /** {@code value} as indented JSON, ending with a newline. */
    static String write(Object value) {
        try {
            return WRITER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private static ObjectMapper mapper() {
        SimpleModule module = new SimpleModule("tellme");
        module.addSerializer(Record.class, new RecordSerializer());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Enum<?>> enums = (Class) Enum.class;
        module.addSerializer(enums, new EnumSerializer());
        module.addSerializer(Path.class, new PathSerializer());
        module.addSerializer(Duration.class, new DurationSerializer());
        module.addSerializer(Double.class, new NumberSerializer<>());
        module.addSerializer(Double.TYPE, new NumberSerializer<>());
        module.addSerializer(Float.class, new NumberSerializer<>());
        module.addSerializer(Float.TYPE, new NumberSerializer<>());
        return JsonMapper.builder().addModule(module).disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();
    }

    private static DefaultPrettyPrinter printer() {
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        return new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(indenter)
                .withArrayIndenter(indenter);
    }

    /** A record's components, in declaration order: never Jackson's guesses from other methods. */
    private static final class RecordSerializer extends JsonSerializer<Record> {
        @Override
        public void serialize(Record r, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartObject(r);
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                Object value;
                try {
                    c.getAccessor().setAccessible(true);
                    value = c.getAccessor().invoke(r);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + c + " of " + r.getClass().getName(), e);
                }
                out.writeFieldName(c.getName());
                provider.defaultSerializeValue(value, out);
            }
            out.writeEndObject();
        }
    }

    private static final class EnumSerializer extends JsonSerializer<Enum<?>> {
        @Override
        public void serialize(Enum<?> e, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(e.name().toLowerCase(Locale.ROOT));
        }
    }

    private static final class PathSerializer extends JsonSerializer<Path> {
        @Override
        public void serialize(Path p, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeString(p.toString());
        }
    }

    private static final class DurationSerializer extends JsonSerializer<Duration> {
        @Override
        public void serialize(Duration d, JsonGenerator out, SerializerProvider provider) throws IOException {
            writeNumber(out, d.toNanos() / 1e9);
        }
    }

    private static final class NumberSerializer<N extends Number> extends JsonSerializer<N> {
        @Override
        public void serialize(N n, JsonGenerator out, SerializerProvider provider) throws IOException {
            writeNumber(out, n.doubleValue());
        }
    }

    private static void writeNumber(JsonGenerator out, double d) throws IOException {
        if (!Double.isFinite(d)) {
            out.writeNull();
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.writeNumber((long) d);
        } else {
            out.writeNumber(d);
        }
    }
}
