package dev.tellmej.model.packed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tellmej.model.TestModels;
import dev.tellmej.model.config.Activation;
import dev.tellmej.model.gguf.GgmlType;
import dev.tellmej.model.gguf.GgufFile;
import dev.tellmej.model.inference.ExactModel;
import dev.tellmej.model.inference.LmHead;
import dev.tellmej.model.inference.WeightLoader;
import dev.tellmej.model.numerics.ExactConfig;
import dev.tellmej.model.synthetic.SyntheticModel;
import dev.tellmej.model.tensor.Requantizer;
import dev.tellmej.model.ternary.TlmmKernel;
import dev.tellmej.model.ternary.TlmmKernel.Prepared;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed-weight cache: what it writes reads back as the very arrays packing gives, a model built from it
 * computes the same logits bit for bit, and a damaged, stale or foreign file is never used (and a file it did not
 * write is never replaced). Every cache here lives in a temporary folder.
 */
class PackedCacheTest {
    private static final String STUDENT = "stories260K-ternary-qat.gguf";

    /** A small TQ2_0 model with llama-quantize's Q6_K embedding, made by the project's own writer. */
    private static Path tq2Model(Path dir) {
        Path source = dir.resolve("synthetic.gguf");
        // As wide as VECTOR_MIN_DIM: the exact path runs it on the best kernel kind (TlmmKernel.Kind.forModel).
        SyntheticModel.write(new SyntheticModel.Shape("bitnet", 2, TlmmKernel.VECTOR_MIN_DIM, 8, 1, 512, 384,
                Activation.SILU, true, 64), 5, source);
        Path tq2 = dir.resolve("synthetic-tq2_0.gguf");
        try (GgufFile file = GgufFile.open(source)) {
            Requantizer.requantize(file, Requantizer.llamaQuantize(file, GgmlType.TQ2_0)).write(tq2);
        }
        return tq2;
    }

    /** The embedded student, copied into {@code dir} (the cache keys by path, modification time and contents). */
    private static Path student(Path dir) throws IOException {
        return Files.copy(TestModels.file(STUDENT), dir.resolve(STUDENT));
    }

    private static ExactModel open(Path model, PackedCache cache) {
        return ExactModel.open(GgufFile.open(model), ExactConfig.defaults(), 40, 2, cache);
    }

    /** The logits after a 12-token prompt and after each of 4 decode steps, as binary32 bits. */
    private static List<int[]> logits(ExactModel m) {
        int vocab = m.config().vocabSize();
        int[] prompt = new int[12];
        for (int i = 0; i < prompt.length; i++) {
            prompt[i] = 1 + (i * 37) % (vocab - 1);
        }
        List<int[]> out = new ArrayList<>();
        out.add(bits(m.prefill(prompt, 0)));
        for (int p = prompt.length; p < prompt.length + 4; p++) {
            out.add(bits(m.forward((p * 11) % vocab, p)));
        }
        return out;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    static void assertSameWeights(PackedWeights expected, PackedWeights actual) {
        assertEquals(expected.kind(), actual.kind());
        assertEquals(expected.matrices().size(), actual.matrices().size());
        for (int i = 0; i < expected.matrices().size(); i++) {
            Prepared e = expected.matrices().get(i);
            Prepared a = actual.matrices().get(i);
            assertEquals(e.rows(), a.rows(), "rows of matrix " + i);
            assertEquals(e.cols(), a.cols(), "cols of matrix " + i);
            assertEquals(e.groups(), a.groups(), "groups of matrix " + i);
            assertEquals(Float.floatToRawIntBits(e.scale()), Float.floatToRawIntBits(a.scale()), "scale of " + i);
            assertArrayEquals(e.tiled(), a.tiled(), "tiles of matrix " + i);
            assertEquals(e.matrix() == null, a.matrix() == null);
            if (e.matrix() != null) {
                assertArrayEquals(e.matrix().indices(), a.matrix().indices(), "indices of matrix " + i);
            }
        }
        LmHead eh = expected.head();
        LmHead ah = actual.head();
        assertEquals(eh.rows(), ah.rows());
        assertEquals(eh.cols(), ah.cols());
        assertArrayEquals(eh.weights(), ah.weights());
        assertArrayEquals(bits(eh.rowScales()), bits(ah.rowScales()));
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Runs the model with no cache, while writing the cache, and from the cache: the same logits, bit for bit. */
    private static void sameRunsWithAndWithoutTheCache(Path model, Path cacheDir) throws IOException {
        List<String> notices = new ArrayList<>();
        PackedCache cache = PackedCache.at(cacheDir, 0, notices::add);
        List<int[]> plain;
        PackedWeights packed;
        try (var m = new Closing(open(model, PackedCache.disabled()))) {
            plain = logits(m.model);
            packed = m.model.packedWeights();
        }
        assertTrue(files(cacheDir).isEmpty());
        List<int[]> writing;
        try (var m = new Closing(open(model, cache))) {
            writing = logits(m.model);
        }
        List<Path> written = files(cacheDir);
        assertEquals(1, written.size(), "one cache file, no temporary file left: " + written);
        assertEquals(1, notices.size(), "one line when the file is written: " + notices);
        assertTrue(notices.getFirst().contains("writing a cache of the packed weights"), notices.getFirst());
        List<int[]> reading;
        try (var m = new Closing(open(model, cache))) {
            assertSameWeights(packed, m.model.packedWeights());
            reading = logits(m.model);
        }
        assertEquals(1, notices.size(), "nothing said when the cache is read: " + notices);
        assertEquals(written, files(cacheDir), "reading writes nothing");
        for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i), writing.get(i), "logits of step " + i + " while writing the cache");
            assertArrayEquals(plain.get(i), reading.get(i), "logits of step " + i + " from the cache");
        }
    }

    /** Closes the model when the test is done with it. */
    private record Closing(ExactModel model) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    @Test
    void aTq2ModelRunsBitForBitTheSameFromTheCache(@TempDir Path dir) throws IOException {
        sameRunsWithAndWithoutTheCache(tq2Model(dir), dir.resolve("cache"));
    }

    @Test
    void theEmbeddedStudentRunsBitForBitTheSameFromTheCache(@TempDir Path dir) throws IOException {
        sameRunsWithAndWithoutTheCache(student(dir), dir.resolve("cache"));
    }

    /** Writer and reader alone, for every kernel layout this JVM can pack (the scalar indices and the best kind). */
    @Test
    void everyArrayReadsBackEqualForEachKernelKind(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        for (TlmmKernel.Kind kind : TlmmKernel.Kind.values()) {
            if (!kind.available()) {
                continue;
            }
            PackedWeights packed = packWith(model, kind);
            try (GgufFile file = GgufFile.open(model)) {
                PackedCacheKey key = PackedCacheKey.of(file, kind);
                Path out = dir.resolve(kind + ".tlpk");
                PackedCacheWriter.write(out, key, packed);
                assertTrue(PackedCacheFormat.isOurs(out));
                assertSameWeights(packed, PackedCacheReader.read(out, key, WeightLoader.gguf(file).config()));
            }
        }
    }

    /** The weights as a kernel of {@code kind} lays them out (the N16 head as the exact path quantizes it). */
    private static PackedWeights packWith(Path model, TlmmKernel.Kind kind) {
        try (GgufFile file = GgufFile.open(model)) {
            var source = WeightLoader.gguf(file);
            var c = source.config();
            TlmmKernel kernel = new TlmmKernel(1, kind);
            List<Prepared> matrices = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                var l = source.ternaryLayer(i);
                for (var t : List.of(l.q(), l.k(), l.v(), l.o(), l.gate(), l.up(), l.down())) {
                    matrices.add(kernel.prepare(t));
                }
            }
            return new PackedWeights(kind, matrices, LmHead.quantize(source.embeddingRows()));
        }
    }

    @Test
    void aTruncatedFileIsSaidRepackedAndRewritten(@TempDir Path dir) throws IOException {
        damagedFileIsRewritten(dir, file -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(f.length() - 1000);
            }
        }, "truncated");
    }

    @Test
    void aFileCutInsideItsHeaderIsRewritten(@TempDir Path dir) throws IOException {
        damagedFileIsRewritten(dir, file -> {
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(20);
            }
        }, "truncated");
    }

    @Test
    void aChangedByteInTheWeightsIsCaughtByTheirChecksum(@TempDir Path dir) throws IOException {
        damagedFileIsRewritten(dir, file -> flip(file, Files.size(file) - 3), "checksum of array");
    }

    @Test
    void aChangedByteInTheHeaderIsCaughtByItsChecksum(@TempDir Path dir) throws IOException {
        damagedFileIsRewritten(dir, file -> flip(file, 40), "header's checksum");
    }

    private static void flip(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
    }

    @FunctionalInterface
    private interface Damage {
        void apply(Path file) throws IOException;
    }

    private static void damagedFileIsRewritten(Path dir, Damage damage, String reason) throws IOException {
        Path model = tq2Model(dir);
        Path cacheDir = dir.resolve("cache");
        List<String> notices = new ArrayList<>();
        PackedCache cache = PackedCache.at(cacheDir, 0, notices::add);
        List<int[]> expected;
        try (var m = new Closing(open(model, cache))) {
            expected = logits(m.model);
        }
        Path file = files(cacheDir).getFirst();
        byte[] good = Files.readAllBytes(file);
        damage.apply(file);
        notices.clear();
        try (var m = new Closing(open(model, cache))) {
            assertEquals(1, notices.size(), "one line about the damaged file: " + notices);
            assertTrue(notices.getFirst().contains("damaged") && notices.getFirst().contains(reason), notices.getFirst());
            assertEquals(expected.size(), logits(m.model).size());
        }
        assertArrayEquals(good, Files.readAllBytes(file), "rewritten as it was first written");
        notices.clear();
        try (var m = new Closing(open(model, cache))) {
            List<int[]> again = logits(m.model);
            for (int i = 0; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), again.get(i));
            }
        }
        assertTrue(notices.isEmpty(), "the rewritten file is used: " + notices);
    }

    @Test
    void aChangedModelFileGetsANewCacheFileAndTheOldOneGoes(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        Path cacheDir = dir.resolve("cache");
        PackedCache cache = PackedCache.at(cacheDir, 0, message -> {});
        try (var m = new Closing(open(model, cache))) {
            logits(m.model);
        }
        Path first = files(cacheDir).getFirst();
        // The same bytes with a new modification time: a different key (the old file is never read for it).
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 5000));
        try (var m = new Closing(open(model, cache))) {
            logits(m.model);
        }
        List<Path> now = files(cacheDir);
        assertEquals(1, now.size(), "the outdated file of the same model is deleted: " + now);
        assertNotEquals(first, now.getFirst());
    }

    @Test
    void aKeyOfAnotherFileOrKernelDoesNotReadTheFile(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        PackedWeights packed = packWith(model, TlmmKernel.Kind.SCALAR);
        try (GgufFile file = GgufFile.open(model)) {
            PackedCacheKey key = PackedCacheKey.of(file, TlmmKernel.Kind.SCALAR);
            Path out = dir.resolve("scalar.tlpk");
            PackedCacheWriter.write(out, key, packed);
            var c = WeightLoader.gguf(file).config();
            PackedCacheKey other = new PackedCacheKey(key.path(), key.size(), key.modified(), key.identity(),
                    key.headerCrc(), key.sampleCrc() ^ 1, key.layout(), key.kind());
            var e = assertThrows(CorruptPackedCacheException.class, () -> PackedCacheReader.read(out, other, c));
            assertTrue(e.getMessage().contains("another file"), e.getMessage());
            assertNotEquals(key.fileName(), other.fileName());
        }
    }

    @Test
    void theContentFingerprintSeesABlockRewrittenInPlace(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        PackedCacheKey before;
        try (GgufFile file = GgufFile.open(model)) {
            before = PackedCacheKey.of(file, TlmmKernel.Kind.SCALAR);
        }
        FileTime time = Files.getLastModifiedTime(model);
        flip(model, Files.size(model) - 100); // inside the last sampled block
        Files.setLastModifiedTime(model, time);
        try (GgufFile file = GgufFile.open(model)) {
            PackedCacheKey after = PackedCacheKey.of(file, TlmmKernel.Kind.SCALAR);
            assertEquals(before.size(), after.size());
            assertEquals(before.modified(), after.modified());
            assertNotEquals(before.text(), after.text());
        }
    }

    @Test
    void aFileTheToolDidNotWriteIsNeverReplaced(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        Path cacheDir = dir.resolve("cache");
        List<String> notices = new ArrayList<>();
        PackedCache cache = PackedCache.at(cacheDir, 0, notices::add);
        Path slot;
        try (GgufFile file = GgufFile.open(model)) {
            slot = cache.slot(file, TlmmKernel.Kind.best()).orElseThrow().file();
        }
        Files.createDirectories(cacheDir);
        Files.writeString(slot, "the user's own notes");
        // A file of the same model file's prefix, not ours either: not deleted as outdated.
        Path sibling = slot.resolveSibling(slot.getFileName().toString().replaceFirst("[0-9a-f]{8}\\.tlpk$",
                "00000000.tlpk"));
        Files.writeString(sibling, "also the user's");
        try (var m = new Closing(open(model, cache))) {
            logits(m.model);
        }
        assertEquals("the user's own notes", Files.readString(slot));
        assertEquals("also the user's", Files.readString(sibling));
        assertTrue(notices.stream().anyMatch(n -> n.contains("not written by tellme")), notices.toString());
        assertEquals(2, files(cacheDir).size(), "no temporary file left: " + files(cacheDir));
    }

    @Test
    void aDisabledCacheOrASmallModelWritesNothing(@TempDir Path dir) throws IOException {
        Path model = tq2Model(dir);
        Path cacheDir = dir.resolve("cache");
        try (var m = new Closing(open(model, PackedCache.at(cacheDir, Files.size(model) + 1, message -> {})))) {
            logits(m.model);
        }
        try (var m = new Closing(open(model, PackedCache.disabled()))) {
            logits(m.model);
        }
        assertFalse(Files.exists(cacheDir));
    }
}
