package dev.tellmej.host.doctor;

import dev.tellmej.device.Device;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A recorded greedy run of the embedded ternary student: the prompt's ids and the ids a device must generate
 * from it, taking the largest logit at every step (the lowest id on a tie): one prefill of the prompt, then a
 * decode of each generated id but the last. {@code tellme doctor} runs it on the chosen device and compares.
 *
 * <p>The recording is the resource {@value #RESOURCE}: lines {@code prompt: IDS} and {@code ids: IDS} (ids
 * separated by spaces), comments starting with {@code #}. {@code GoldenTokensTest} regenerates it on the
 * reference device for every build and compares, so it cannot drift silently.
 *
 * @param source where it was read
 * @param prompt the prompt's ids (BOS alone, as in the model's golden story)
 * @param ids    the generated ids, in order
 */
public record GoldenTokens(String source, int[] prompt, int[] ids) {
    /** The recording's resource name. */
    public static final String RESOURCE = "/dev/tellmej/host/doctor/golden-student.txt";

    public GoldenTokens {
        prompt = prompt.clone();
        ids = ids.clone();
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** The recording tellme ships ({@value #RESOURCE}). */
    public static GoldenTokens recorded() {
        try (InputStream in = GoldenTokens.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new MalformedGoldenFileException(RESOURCE, "not in tellme's jar");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses a recording.
     *
     * @param source names it in messages
     * @throws MalformedGoldenFileException when a line is not {@code prompt:} or {@code ids:} with numbers, or one
     *                                      of them is missing or empty
     */
    public static GoldenTokens parse(String text, String source) {
        Map<String, int[]> lines = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.lines().toList()) {
            number++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int colon = s.indexOf(':');
            String key = colon < 0 ? "" : s.substring(0, colon).strip();
            if (!key.equals("prompt") && !key.equals("ids")) {
                throw new MalformedGoldenFileException(source, "line " + number + " is not 'prompt: IDS' or"
                        + " 'ids: IDS': '" + s + "'");
            }
            if (lines.containsKey(key)) {
                throw new MalformedGoldenFileException(source, "line " + number + " repeats '" + key + ":'");
            }
            String[] words = s.substring(colon + 1).strip().split("\\s+");
            int[] values = new int[words.length];
            for (int i = 0; i < words.length; i++) {
                try {
                    values[i] = Integer.parseInt(words[i]);
                } catch (NumberFormatException e) {
                    throw new MalformedGoldenFileException(source, "line " + number + ": '" + words[i]
                            + "' is not a token id");
                }
                if (values[i] < 0) {
                    throw new MalformedGoldenFileException(source, "line " + number + ": " + values[i]
                            + " is not a token id");
                }
            }
            lines.put(key, values);
        }
        for (String key : new String[] {"prompt", "ids"}) {
            if (!lines.containsKey(key)) {
                throw new MalformedGoldenFileException(source, "no '" + key + ":' line");
            }
        }
        return new GoldenTokens(source, lines.get("prompt"), lines.get("ids"));
    }

    /** The recording's text: the comment lines, then the prompt and the ids. */
    public String format(String comment) {
        StringBuilder out = new StringBuilder();
        comment.lines().forEach(line -> out.append("# ").append(line).append('\n'));
        out.append("prompt: ").append(join(prompt)).append('\n');
        out.append("ids: ").append(join(ids)).append('\n');
        return out.toString();
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    /**
     * Runs {@code prompt} on {@code device} from position 0 and generates {@code count} ids greedily: one prefill,
     * then {@code count - 1} decodes.
     */
    public static int[] greedy(Device device, int[] prompt, int count) {
        device.reset();
        int[] out = new int[count];
        float[] logits = device.prefill(prompt);
        for (int i = 0; i < count; i++) {
            out[i] = argmax(logits);
            if (i + 1 < count) {
                logits = device.decode(out[i]);
            }
        }
        return out;
    }

    /** The index of the largest value, the lowest on a tie; a NaN never wins. */
    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best] || Float.isNaN(values[best]) && !Float.isNaN(values[i])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The first position where {@code got} differs from the recorded ids.
     *
     * @param position the index into the generated ids (0: the prefill's id)
     * @param recorded the recorded id there, or -1 when {@code got} is longer
     * @param got      the id generated there, or -1 when {@code got} is shorter
     */
    public record Mismatch(int position, int recorded, int got) {}

    /** The first difference between the recorded ids and {@code got}, if any. */
    public Optional<Mismatch> firstDifference(int[] got) {
        int n = Math.max(ids.length, got.length);
        for (int i = 0; i < n; i++) {
            int r = i < ids.length ? ids[i] : -1;
            int g = i < got.length ? got[i] : -1;
            if (r != g) {
                return Optional.of(new Mismatch(i, r, g));
            }
        }
        return Optional.empty();
    }
}
