/*
 * tellme.cl: the OpenCL C twin of the TeLLMe-J kernel 'tellme' (docs/host.md).
 *
 * One work-group runs one call, as the RTL kernel does: it checks the call, runs the image's program once per
 * chunk of tokens, writes K and V rows into the KV cache (KvCacheLayout), the last token's logits and the call
 * record into the I/O region (IoRegion). The arithmetic is docs/NUMERICS.md bit for bit; the section numbers
 * (N4, N9, ...) name the rule each function follows. Work is spread over the work-items where it is natural
 * (rows of a linear, RoPE pairs, query heads, vocabulary rows); every value is computed by one work-item in
 * the contract's order, so no result depends on the work-group size.
 *
 * OpenClTwinSource puts before this file: tellme.h of the image's build (register, opcode, field, buffer and
 * epilogue macros), the build's and the model's sizes (TWIN_*), and the tables of N9 to N11 as binary32 bit
 * patterns taken from the Java model (TWIN_EXP_V, ...), so there is one copy of every constant.
 */

/* N1, N2: no contraction into fused multiply-adds. OpenClTwinSourceTest builds with TWIN_ALLOW_CONTRACTION to
 * show that, on a device with FMA, contraction changes results. */
#ifdef TWIN_ALLOW_CONTRACTION
#pragma OPENCL FP_CONTRACT ON
#else
#pragma OPENCL FP_CONTRACT OFF
#endif

#define CANONICAL_NAN as_float(0x7FC00000u)
#define POS_INF as_float(0x7F800000u)
#define NEG_INF as_float(0xFF800000u)
#define LOG2E as_float(0x3FB8AA3Bu)      /* (float) (1 / ln 2), N9.3 */
#define INV127 as_float(0x3C010204u)     /* (float) (1 / 127.0), N8.1 */
#define QUANT_EPS as_float(0x3727C5ACu)  /* (float) 1e-5, N6.2 */

/* ---- N2.4: Java's Math.max (NaN wins; +0 above -0) ---- */

float jmax(float a, float b) {
    if (isnan(a) || isnan(b)) {
        return CANONICAL_NAN;
    }
    if (a > b) {
        return a;
    }
    if (b > a) {
        return b;
    }
    return signbit(a) ? b : a;
}

/* ---- N4: storage formats ---- */

ushort fp16_encode(float v) {
    if (isnan(v)) {
        return (ushort) 0x7E00;
    }
    uint b = as_uint(v);
    uint sign = (b >> 16) & 0x8000u;
    uint a = b & 0x7FFFFFFFu;
    if (a >= 0x47800000u) { /* 2^16 and above, infinity */
        return (ushort) (sign | 0x7C00u);
    }
    int e = (int) (a >> 23) - 127;
    uint m = a & 0x7FFFFFu;
    if (e >= -14) { /* normal: RNE on the 13 low bits; a carry moves into the exponent, or to infinity */
        uint h = ((uint) (e + 15) << 10) | (m >> 13);
        uint rem = m & 0x1FFFu;
        if (rem > 0x1000u || (rem == 0x1000u && (h & 1u) != 0u)) {
            h++;
        }
        return (ushort) (sign | h);
    }
    if ((a >> 23) == 0u) { /* binary32 zero or subnormal: below 2^-126 */
        return (ushort) sign;
    }
    int s = -e - 1; /* subnormal binary16: k * 2^-24 with k = significand >> s, RNE */
    if (s > 24) {
        return (ushort) sign;
    }
    uint mant = m | 0x800000u;
    uint k = mant >> s;
    uint rem = mant & ((1u << s) - 1u);
    uint halfway = 1u << (s - 1);
    if (rem > halfway || (rem == halfway && (k & 1u) != 0u)) {
        k++;
    }
    return (ushort) (sign | k);
}

float fp16_decode(ushort h) {
    uint sign = ((uint) h & 0x8000u) << 16;
    uint e = ((uint) h >> 10) & 31u;
    uint m = (uint) h & 0x3FFu;
    if (e == 31u) {
        return as_float(sign | 0x7F800000u | (m << 13));
    }
    if (e == 0u) {
        float v = (float) m * 0x1p-24f; /* exact */
        return sign != 0u ? -v : v;
    }
    return as_float(sign | ((e + 112u) << 23) | (m << 13));
}

ushort bf16_encode(float v) {
    if (isnan(v)) {
        return (ushort) 0x7FC0;
    }
    uint b = as_uint(v);
    return (ushort) ((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16);
}

float bf16_decode(ushort h) {
    return as_float((uint) h << 16);
}

ushort st_encode(float v) {
#if TWIN_STORAGE_BF16
    return bf16_encode(v);
#else
    return fp16_encode(v);
#endif
}

float st_decode(ushort h) {
#if TWIN_STORAGE_BF16
    return bf16_decode(h);
#else
    return fp16_decode(h);
#endif
}

/* st(v) of N1: round to the storage format and read back. */
float st_round(float v) {
    return st_decode(st_encode(v));
}

/* ---- N9 to N12: exp, reciprocal, rsqrt, SiLU, ReLU^2 ---- */

/* N9.1: r * 2^n, RNE, r normal. */
float scale2(float r, int n) {
    uint bits = as_uint(r);
    long ne = (long) ((bits >> 23) & 0xFFu) + n;
    if (ne >= 255) {
        return copysign(POS_INF, r);
    }
    if (ne >= 1) {
        return as_float((bits & 0x807FFFFFu) | ((uint) ne << 23));
    }
    if (ne < -25) {
        return copysign(0.0f, r);
    }
    float moved = as_float((bits & 0x807FFFFFu) | ((uint) (ne + 126) << 23));
    return moved * as_float(0x00800000u);
}

/* N10.2: |x| = 1.fraction * 2^E, subnormals normalized; returns E. */
int split(float x, uint *fraction) {
    uint bits = as_uint(x) & 0x7FFFFFFFu;
    int e = (int) (bits >> 23);
    uint mant = bits & 0x7FFFFFu;
    if (e == 0) {
        int shift = (int) clz(mant) - 8;
        mant = (mant << shift) & 0x7FFFFFu;
        e = 1 - shift;
    }
    *fraction = mant;
    return e - 127;
}

float exact_exp(float x) {
    if (isnan(x)) {
        return CANONICAL_NAN;
    }
    if (x == POS_INF) {
        return POS_INF;
    }
    if (x == NEG_INF) {
        return 0.0f;
    }
    float t = x * LOG2E;
    if (t >= 128.0f) {
        return POS_INF;
    }
    if (t < -160.0f) {
        return 0.0f;
    }
    int fixed = (int) floor(t * 0x1p23f);
    int n = fixed >> 23;
    int i = (fixed >> 16) & 127;
    float u = (float) (fixed & 0xFFFF) * 0x1p-16f;
    float r = as_float(TWIN_EXP_V[i]) + as_float(TWIN_EXP_D[i]) * u;
    return scale2(r, n);
}

float exact_reciprocal(float x) {
    if (isnan(x)) {
        return CANONICAL_NAN;
    }
    if (isinf(x)) {
        return copysign(0.0f, x);
    }
    if (x == 0.0f) {
        return copysign(POS_INF, x);
    }
    uint frac;
    int e = split(x, &frac);
    float m = as_float((127u << 23) | frac);
    int i = (int) (frac >> 17);
    float u = (float) (frac & 0x1FFFFu) * 0x1p-17f;
    float y0 = as_float(TWIN_RECIPROCAL_V[i]) + as_float(TWIN_RECIPROCAL_D[i]) * u;
    float p = m * y0;
    float q = 2.0f - p;
    float y1 = y0 * q;
    return copysign(scale2(y1, -e), x);
}

float exact_rsqrt(float x) {
    if (isnan(x)) {
        return CANONICAL_NAN;
    }
    if (x == 0.0f) {
        return copysign(POS_INF, x);
    }
    if (x < 0.0f) {
        return CANONICAL_NAN;
    }
    if (x == POS_INF) {
        return 0.0f;
    }
    uint frac;
    int e = split(x, &frac);
    int odd = e & 1;
    float m = as_float((127u << 23) | frac);
    if (odd == 1) {
        m = m * 2.0f;
    }
    int ePrime = e - odd;
    int i = (odd << 5) | (int) (frac >> 18);
    float u = (float) (frac & 0x3FFFFu) * 0x1p-18f;
    float y0 = as_float(TWIN_RSQRT_V[i]) + as_float(TWIN_RSQRT_D[i]) * u;
    float h = 0.5f * m;
    float a = y0 * y0;
    float b = h * a;
    float c = 1.5f - b;
    float y1 = y0 * c;
    return scale2(y1, -(ePrime / 2));
}

float exact_silu(float x) {
    if (isnan(x)) {
        return CANONICAL_NAN;
    }
    if (x == NEG_INF) {
        return -0.0f;
    }
    float e = exact_exp(-x);
    float d = 1.0f + e;
    float r = exact_reciprocal(d);
    return x * r;
}

float exact_relu2(float x) {
    if (isnan(x)) {
        return CANONICAL_NAN;
    }
    return x > 0.0f ? x * x : 0.0f;
}

/* N13.2: (float) (1.0 / n), RNE, by integer division (no float division on the device). 1/n never lies on a
 * binary32 midpoint for n < 2^28, so this equals Java's rounding of the double quotient. */
float inverse_of(uint n) {
    int bitsOfN = 32 - (int) clz(n);
    int k = 23 + bitsOfN;
    ulong q = (1UL << k) / n;
    if (q == (1UL << 24)) { /* n a power of two */
        return as_float((uint) (127 - (bitsOfN - 1)) << 23);
    }
    ulong rem = (1UL << k) - q * n;
    if (2UL * rem > n || (2UL * rem == n && (q & 1UL) != 0UL)) {
        q++;
    }
    return (float) q * as_float((uint) (127 - k) << 23);
}

/* N3.3: sat8(rne_int(v)); NaN gives 0. */
char to_int8(float v) {
    if (isnan(v)) {
        return (char) 0;
    }
    float r = rint(v);
    r = r < -128.0f ? -128.0f : (r > 127.0f ? 127.0f : r);
    return (char) (int) r;
}

/* N5.2: the balanced tree over the lane partials (overwrites them). */
float lane_tree(float *p) {
    for (int width = TWIN_LANES; width > 1; width >>= 1) {
        for (int k = 0; k < width / 2; k++) {
            p[k] = p[2 * k] + p[2 * k + 1];
        }
    }
    return p[0];
}

/* ---- The on-chip buffers (OnChipBuffer): one vector per token of the chunk, in local memory ---- */

typedef struct {
    __local float *base;
    uint stride; /* elements per token */
} Vec;

/* ---- N7: the TLMM DDR packing of a ternary linear (TlmmLayout, WeightPacker) ---- */

typedef struct {
    uint rows, cols;
    uint blocks;          /* blocks of 3T inputs */
    uint lastTables;      /* indices per word of the last block */
    uint fullWordBytes;   /* bytes of an index word of T indices */
    uint lastWordBytes;
    uint tileGroups;      /* row groups of every tile but the last */
    uint lastTileGroups;
    uint tiles;
    ulong regionStride;
} Layout;

uint ceil_div(uint a, uint b) {
    return (a + b - 1u) / b;
}

uint word_bytes(uint tables) {
    return (3u * tables + 4u) / 5u;
}

Layout layout_of(uint rows, uint cols) {
    Layout l;
    l.rows = rows;
    l.cols = cols;
    l.blocks = ceil_div(cols, 3u * TWIN_TABLES);
    uint real = ceil_div(cols, 3u) - (l.blocks - 1u) * TWIN_TABLES;
    l.lastTables = TWIN_TABLES;
    for (int c = 3; c >= 0; c--) { /* the smallest quarter class that holds the real groups */
        uint quarter = (TWIN_TABLES * (uint) (c + 1) + 3u) / 4u;
        if (quarter >= real) {
            l.lastTables = quarter;
        }
    }
    l.fullWordBytes = word_bytes(TWIN_TABLES);
    l.lastWordBytes = word_bytes(l.lastTables);
    uint groups = ceil_div(rows, TWIN_COLUMNS);
    uint perTile = min((uint) TWIN_HALF_DEPTH / l.blocks, (uint) TWIN_MAX_GROUPS);
    l.tiles = ceil_div(groups, perTile);
    l.tileGroups = ceil_div(groups, l.tiles);
    l.lastTileGroups = groups - (l.tiles - 1u) * l.tileGroups;
    ulong lanes = TWIN_COLUMNS / TWIN_PORTS;
    ulong tileBytes = (ulong) l.tileGroups * lanes
            * ((ulong) (l.blocks - 1u) * l.fullWordBytes + l.lastWordBytes);
    ulong beats = (tileBytes + TWIN_BEAT_BYTES - 1) / TWIN_BEAT_BYTES;
    ulong burst = (ulong) TWIN_BURST_BEATS * TWIN_BEAT_BYTES;
    l.regionStride = (beats * TWIN_BEAT_BYTES + burst - 1) / burst * burst;
    return l;
}

ulong layout_bytes(Layout l) {
    return (ulong) l.tiles * TWIN_PORTS * l.regionStride;
}

/* acc[j] = sum_c w(row, c) * x_j[c] for the chunk's tokens (N7.4: exact integers, so the order is free). The
 * row's index words: tile k, port p, lane, row group g of the tile, one word per block. */
void row_products(__global const uchar *w, Layout l, uint row, __local const char *xq, uint tokens, int *acc) {
    for (uint j = 0; j < TWIN_CHUNK; j++) {
        acc[j] = 0;
    }
    uint lanes = TWIN_COLUMNS / TWIN_PORTS;
    uint group = row / TWIN_COLUMNS;
    uint tile = group / l.tileGroups;
    uint g = group - tile * l.tileGroups;
    uint port = (row % TWIN_COLUMNS) / lanes;
    uint lane = row % lanes;
    uint tileGroups = tile == l.tiles - 1u ? l.lastTileGroups : l.tileGroups;
    ulong region = ((ulong) tile * TWIN_PORTS + port) * l.regionStride;
    for (uint b = 0; b < l.blocks; b++) {
        bool lastBlock = b == l.blocks - 1u;
        uint bytes = lastBlock ? l.lastWordBytes : l.fullWordBytes;
        uint trits = 3u * (lastBlock ? l.lastTables : TWIN_TABLES);
        ulong at = region + (ulong) b * tileGroups * lanes * l.fullWordBytes + (ulong) (g * lanes + lane) * bytes;
        uint firstCol = b * 3u * TWIN_TABLES;
        uint end = min(l.cols - firstCol, trits); /* trits of this word that are real inputs */
        for (uint byteIndex = 0; byteIndex * 5u < end; byteIndex++) {
            uint v = w[at + byteIndex];
            for (uint d = 0; d < 5u; d++) {
                uint t = byteIndex * 5u + d;
                int weight = (int) (v % 3u) - 1;
                v /= 3u;
                if (t < end && weight != 0) {
                    uint c = firstCol + t;
                    for (uint j = 0; j < tokens; j++) {
                        acc[j] += weight * (int) xq[j * TWIN_WIDE + c];
                    }
                }
            }
        }
    }
}

/* ---- Instruction words ---- */

uint field_of(uint4 word, uint lsb, uint width) {
    uint words[4] = {word.x, word.y, word.z, word.w};
    uint shift = lsb % 32u;
    uint value = words[lsb / 32u] >> shift;
    if (shift + width > 32u) {
        value |= words[lsb / 32u + 1u] << (32u - shift);
    }
    return width == 32u ? value : value & ((1u << width) - 1u);
}

#define FIELD(op, name) field_of(word, TELLME_##op##_##name##_LSB, TELLME_##op##_##name##_WIDTH)

/* The buffer with id `id`, or a null base for an unknown id. */
Vec buffer_of(uint id, __local float *residual, __local float *query, __local float *attention,
              __local float *gate, __local float *ffn) {
    Vec v;
    v.base = 0;
    v.stride = 0u;
    if (id == TELLME_BUFFER_RESIDUAL) {
        v.base = residual;
        v.stride = TWIN_DIM;
    } else if (id == TELLME_BUFFER_QUERY) {
        v.base = query;
        v.stride = TWIN_QDIM;
    } else if (id == TELLME_BUFFER_ATTENTION) {
        v.base = attention;
        v.stride = TWIN_QDIM;
    } else if (id == TELLME_BUFFER_GATE) {
        v.base = gate;
        v.stride = TWIN_FFN;
    } else if (id == TELLME_BUFFER_FFN) {
        v.base = ffn;
        v.stride = TWIN_FFN;
    }
    return v;
}

uint read_u32(__global const uchar *p, ulong at) {
    return (uint) p[at] | (uint) p[at + 1] << 8 | (uint) p[at + 2] << 16 | (uint) p[at + 3] << 24;
}

float read_f32(__global const uchar *p, ulong at) {
    return as_float(read_u32(p, at));
}

ushort read_u16(__global const uchar *p, ulong at) {
    return (ushort) ((uint) p[at] | (uint) p[at + 1] << 8);
}

void write_u32(__global uchar *p, ulong at, uint v) {
    p[at] = (uchar) v;
    p[at + 1] = (uchar) (v >> 8);
    p[at + 2] = (uchar) (v >> 16);
    p[at + 3] = (uchar) (v >> 24);
}

/* ---- The kernel ---- */

__kernel void tellme(uint mode, uint token_count, uint start_position, uint debug,
                     __global const uchar *image, __global ushort *kv_cache, __global uchar *io
                     TWIN_WEIGHT_PARAMETERS) {
    __local float residual[TWIN_CHUNK * TWIN_DIM];
    __local float query[TWIN_CHUNK * TWIN_QDIM];
    __local float attention[TWIN_CHUNK * TWIN_QDIM];
    __local float gate[TWIN_CHUNK * TWIN_FFN];
    __local float ffn[TWIN_CHUNK * TWIN_FFN];
    __local char xq[TWIN_CHUNK * TWIN_WIDE];     /* N6's int8 activations of the last QUANTIZE */
    __local float mc[TWIN_CHUNK];                /* and their clamped absmax */

    const uint lid = get_local_id(0);
    const uint lsz = get_local_size(0);
    uint error = TELLME_ERROR_NONE;
    uint detail = 0u;

    /* The image header (docs/image.md): magic, version, program, context, vocabulary. */
    uint programOffset = read_u32(image, 28);
    uint programLength = read_u32(image, 32);
    uint contextOfImage = read_u32(image, 36);
    uint vocab = read_u32(image, 216);
    if (read_u32(image, 0) != 0x494D4C54u) { /* "TLMI" */
        error = TELLME_ERROR_BAD_IMAGE;
        detail = 0u;
    } else if (read_u32(image, 4) != 1u) {
        error = TELLME_ERROR_BAD_IMAGE;
        detail = 1u;
    } else if (mode > 1u || token_count == 0u || (mode == TELLME_MODE_DECODE && token_count != 1u)) {
        error = TELLME_ERROR_BAD_CALL;
        detail = token_count;
    } else if ((ulong) start_position + token_count > contextOfImage) {
        error = TELLME_ERROR_CONTEXT_OVERFLOW;
        detail = start_position + token_count;
    } else {
        for (uint i = 0; i < token_count; i++) {
            if (read_u32(io, TELLME_IO_TOKENS_OFFSET + 4u * i) >= vocab && error == TELLME_ERROR_NONE) {
                error = TELLME_ERROR_BAD_TOKEN;
                detail = i;
            }
        }
    }
    ulong logitsOffset = tellme_io_logits_offset(contextOfImage);

    /* Debug taps (DebugTaps, docs/device.md): the area after the logits; the host wrote its capacity. */
    const bool imageValid = read_u32(image, 0) == 0x494D4C54u && read_u32(image, 4) == 1u;
    const bool tapping = (debug & TELLME_DEBUG_TAPS) != 0u && imageValid;
    const ulong debugBase = tellme_io_debug_offset(contextOfImage, vocab);
    const uint tapCapacity = tapping ? read_u32(io, debugBase + TELLME_DEBUG_CAPACITY) : 0u;
    uint tapRecords = 0u;
    uint tapUsed = 0u;
    uint tapDropped = 0u;

    /* SETUP's registers. */
    uint headDim = 0u;
    uint heads = 0u;
    uint kvHeads = 0u;
    uint ropeAdjacent = 0u;
    uint positions = 0u;
    uint ropeTable = 0u;

    uint executed = 0u;
    for (uint from = 0u; from < token_count && error == TELLME_ERROR_NONE; from += TWIN_CHUNK) {
        uint tokens = min((uint) TWIN_CHUNK, token_count - from);
        uint first = start_position + from;
        bool lastChunk = from + tokens == token_count;
        for (uint pc = 0u; pc < programLength && error == TELLME_ERROR_NONE; pc++) {
            uint4 word = vload4(0, (__global const uint *) (image + programOffset + 16u * pc));
            uint opcode = word.x & 0xFFu;
            executed++;
            if (opcode == TELLME_OP_END) {
                break;
            } else if (opcode == TELLME_OP_SETUP) {
                headDim = FIELD(SETUP, HEAD_DIM);
                heads = FIELD(SETUP, HEADS);
                kvHeads = FIELD(SETUP, KV_HEADS);
                ropeAdjacent = FIELD(SETUP, ROPE_ADJACENT);
                positions = FIELD(SETUP, CONTEXT);
                ropeTable = FIELD(SETUP, ROPE_TABLE);
                if (headDim == 0u || headDim > TWIN_HEAD_DIM || headDim % 2u != 0u || heads == 0u
                        || kvHeads == 0u || heads % kvHeads != 0u || heads * headDim > TWIN_QDIM
                        || positions < contextOfImage) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                }
            } else if (opcode == TELLME_OP_EMBED) {
                Vec dst = buffer_of(FIELD(EMBED, DST), residual, query, attention, gate, ffn);
                uint dim = FIELD(EMBED, DIM);
                uint table = FIELD(EMBED, TABLE);
                if (dst.base == 0 || dim > dst.stride) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                } else {
                    for (uint j = 0; j < tokens; j++) {
                        ulong row = (ulong) read_u32(io, TELLME_IO_TOKENS_OFFSET + 4u * (from + j)) * dim;
                        for (uint i = lid; i < dim; i += lsz) { /* N17.1 */
                            dst.base[j * dst.stride + i] = st_decode(read_u16(image, table + 2u * (row + i)));
                        }
                    }
                }
            } else if (opcode == TELLME_OP_QUANTIZE) {
                Vec src = buffer_of(FIELD(QUANTIZE, SRC), residual, query, attention, gate, ffn);
                uint norm = FIELD(QUANTIZE, NORM);
                uint n = FIELD(QUANTIZE, LENGTH);
                uint gain = FIELD(QUANTIZE, GAIN);
                float eps = as_float(FIELD(QUANTIZE, EPS));
                if (src.base == 0 || n == 0u || n > src.stride || n > TWIN_WIDE) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                } else {
                    for (uint j = lid; j < tokens; j += lsz) { /* one work-item per token */
                        __local const float *x = src.base + j * src.stride;
                        float r = 0.0f;
                        if (norm != 0u) { /* N13: y_i = st((x_i * r) * gain_i), recomputed below */
                            float p[TWIN_LANES];
                            for (uint lane = 0; lane < TWIN_LANES; lane++) {
                                float acc = 0.0f;
                                for (uint i = lane; i < n; i += TWIN_LANES) {
                                    acc = acc + x[i] * x[i];
                                }
                                p[lane] = acc;
                            }
                            float mean = lane_tree(p) * inverse_of(n);
                            r = exact_rsqrt(mean + eps);
                        }
                        float m = 0.0f; /* N6.1 */
                        for (uint i = 0; i < n; i++) {
                            float y = norm != 0u ? st_round((x[i] * r) * st_decode(read_u16(image, gain + 2u * i)))
                                    : x[i];
                            m = jmax(m, fabs(y));
                        }
                        float clamped = m > QUANT_EPS || isnan(m) ? m : QUANT_EPS;
                        float s = 127.0f * exact_reciprocal(clamped);
                        for (uint i = 0; i < n; i++) {
                            float y = norm != 0u ? st_round((x[i] * r) * st_decode(read_u16(image, gain + 2u * i)))
                                    : x[i];
                            xq[j * TWIN_WIDE + i] = to_int8(y * s);
                        }
                        mc[j] = clamped;
                    }
                }
            } else if (opcode == TELLME_OP_LINEAR) {
                uint epilogue = FIELD(LINEAR, EPILOGUE);
                uint relu2 = FIELD(LINEAR, RELU2);
                Vec src = buffer_of(FIELD(LINEAR, SRC), residual, query, attention, gate, ffn);
                Vec dst = buffer_of(FIELD(LINEAR, DST), residual, query, attention, gate, ffn);
                uint layer = FIELD(LINEAR, LAYER);
                uint rows = FIELD(LINEAR, ROWS);
                uint cols = FIELD(LINEAR, COLS);
                uint weights = FIELD(LINEAR, WEIGHTS);
                float scale = as_float(FIELD(LINEAR, SCALE));
                bool rope = epilogue == TELLME_EPILOGUE_ROPE_QUERY || epilogue == TELLME_EPILOGUE_ROPE_KEY_CACHE;
                bool toCache = epilogue == TELLME_EPILOGUE_ROPE_KEY_CACHE || epilogue == TELLME_EPILOGUE_VALUE_CACHE;
                if (rows == 0u || cols == 0u || cols > TWIN_WIDE || epilogue > TELLME_EPILOGUE_GATE_UP
                        || dst.base == 0 || rows > dst.stride
                        || (epilogue == TELLME_EPILOGUE_GATE_UP && (src.base == 0 || rows > src.stride))
                        || ((rope || toCache) && (headDim == 0u || rows % headDim != 0u))
                        || (toCache && (rows / headDim > kvHeads || layer >= TWIN_LAYERS))) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                } else {
                    Layout l = layout_of(rows, cols);
                    __global const uchar *w = image + weights;
                    float f[TWIN_CHUNK]; /* N8.1 */
                    for (uint j = 0; j < TWIN_CHUNK; j++) {
                        f[j] = j < tokens ? (mc[j] * scale) * INV127 : 0.0f;
                    }
                    int acc[TWIN_CHUNK];
                    int accB[TWIN_CHUNK];
                    if (rope) { /* a work-item per RoPE pair (N14.2), so it holds both rows */
                        uint halfDim = headDim / 2u;
                        for (uint pair = lid; pair < rows / 2u; pair += lsz) {
                            uint base = pair / halfDim * headDim;
                            uint i = pair % halfDim;
                            uint ia = ropeAdjacent != 0u ? base + 2u * i : base + i;
                            uint ib = ropeAdjacent != 0u ? ia + 1u : ia + halfDim;
                            row_products(w, l, ia, xq, tokens, acc);
                            row_products(w, l, ib, xq, tokens, accB);
                            for (uint j = 0; j < tokens; j++) {
                                uint position = first + j;
                                float a = (float) acc[j] * f[j];
                                float b = (float) accB[j] * f[j];
                                ulong cs = ropeTable + 4UL * ((ulong) position * headDim + i);
                                float c = read_f32(image, cs);
                                float s = read_f32(image, cs + 4UL * halfDim);
                                float p1 = a * c;
                                float p2 = b * s;
                                float p3 = a * s;
                                float p4 = b * c;
                                float ra = st_round(p1 - p2);
                                float rb = st_round(p3 + p4);
                                dst.base[j * dst.stride + ia] = ra; /* a cache epilogue's dst too */
                                dst.base[j * dst.stride + ib] = rb;
                                if (epilogue == TELLME_EPILOGUE_ROPE_KEY_CACHE) {
                                    ulong row = tellme_kv_row_offset(kvHeads, headDim, positions, layer,
                                            base / headDim, TELLME_KV_KEYS, position) / 2u;
                                    kv_cache[row + ia - base] = st_encode(ra);
                                    kv_cache[row + ib - base] = st_encode(rb);
                                }
                            }
                        }
                    } else {
                        for (uint r = lid; r < rows; r += lsz) {
                            row_products(w, l, r, xq, tokens, acc);
                            for (uint j = 0; j < tokens; j++) {
                                float y = (float) acc[j] * f[j]; /* N8.2 */
                                if (epilogue == TELLME_EPILOGUE_STORE) {
                                    dst.base[j * dst.stride + r] = y;
                                } else if (epilogue == TELLME_EPILOGUE_VALUE_CACHE) {
                                    ulong row = tellme_kv_row_offset(kvHeads, headDim, positions, layer,
                                            r / headDim, TELLME_KV_VALUES, first + j) / 2u;
                                    dst.base[j * dst.stride + r] = st_round(y);
                                    kv_cache[row + r % headDim] = st_encode(y);
                                } else if (epilogue == TELLME_EPILOGUE_RESIDUAL_ADD) {
                                    dst.base[j * dst.stride + r] = st_round(dst.base[j * dst.stride + r] + y);
                                } else { /* GATE_UP, N17.3.3 */
                                    float g = src.base[j * src.stride + r];
                                    float act = relu2 != 0u ? exact_relu2(g) : exact_silu(g);
                                    dst.base[j * dst.stride + r] = st_round(act * y);
                                }
                            }
                        }
                    }
                }
            } else if (opcode == TELLME_OP_ATTENTION) {
                Vec src = buffer_of(FIELD(ATTENTION, SRC), residual, query, attention, gate, ffn);
                Vec dst = buffer_of(FIELD(ATTENTION, DST), residual, query, attention, gate, ffn);
                uint layer = FIELD(ATTENTION, LAYER);
                float scale = as_float(FIELD(ATTENTION, SCORE_SCALE));
                if (src.base == 0 || dst.base == 0 || headDim == 0u || heads * headDim > src.stride
                        || heads * headDim > dst.stride || layer >= TWIN_LAYERS) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                } else {
                    uint group = heads / kvHeads;
                    for (uint item = lid; item < tokens * heads; item += lsz) { /* N15, a (token, head) each */
                        uint j = item / heads;
                        uint head = item % heads;
                        uint kvHead = head / group;
                        uint count = first + j + 1u; /* positions 0 .. the token's own */
                        __local const float *q = src.base + j * src.stride + head * headDim;
                        __global const ushort *keys = kv_cache + tellme_kv_row_offset(kvHeads, headDim, positions,
                                layer, kvHead, TELLME_KV_KEYS, 0u) / 2u;
                        __global const ushort *values = kv_cache + tellme_kv_row_offset(kvHeads, headDim,
                                positions, layer, kvHead, TELLME_KV_VALUES, 0u) / 2u;
                        float p[TWIN_LANES];
                        float top = NEG_INF; /* N15.2, over the scores of N15.1 */
                        for (uint t = 0; t < count; t++) {
                            for (uint lane = 0; lane < TWIN_LANES; lane++) {
                                float a = 0.0f;
                                for (uint i = lane; i < headDim; i += TWIN_LANES) {
                                    a = a + q[i] * st_decode(keys[t * headDim + i]);
                                }
                                p[lane] = a;
                            }
                            top = jmax(top, lane_tree(p) * scale);
                        }
                        /* N15.3 to N15.5 in one pass over t: lane t mod L of Z and of every output element
                         * accumulates in increasing t, as the contract's lane order has it. */
                        float z[TWIN_LANES];
                        float o[TWIN_LANES * TWIN_HEAD_DIM];
                        for (uint lane = 0; lane < TWIN_LANES; lane++) {
                            z[lane] = 0.0f;
                            for (uint i = 0; i < headDim; i++) {
                                o[lane * TWIN_HEAD_DIM + i] = 0.0f;
                            }
                        }
                        for (uint t = 0; t < count; t++) {
                            for (uint lane = 0; lane < TWIN_LANES; lane++) {
                                float a = 0.0f;
                                for (uint i = lane; i < headDim; i += TWIN_LANES) {
                                    a = a + q[i] * st_decode(keys[t * headDim + i]);
                                }
                                p[lane] = a;
                            }
                            float e = exact_exp(lane_tree(p) * scale - top);
                            uint lane = t % TWIN_LANES;
                            z[lane] = z[lane] + e;
                            for (uint i = 0; i < headDim; i++) {
                                o[lane * TWIN_HEAD_DIM + i] = o[lane * TWIN_HEAD_DIM + i]
                                        + e * st_decode(values[t * headDim + i]);
                            }
                        }
                        float rz = exact_reciprocal(lane_tree(z));
                        for (uint i = 0; i < headDim; i++) {
                            for (uint lane = 0; lane < TWIN_LANES; lane++) {
                                p[lane] = o[lane * TWIN_HEAD_DIM + i];
                            }
                            dst.base[j * dst.stride + head * headDim + i] = st_round(lane_tree(p) * rz);
                        }
                    }
                }
            } else if (opcode == TELLME_OP_LM_HEAD) {
                uint cols = FIELD(LM_HEAD, COLS);
                uint rows = FIELD(LM_HEAD, ROWS);
                uint weights = FIELD(LM_HEAD, WEIGHTS);
                uint rowScales = FIELD(LM_HEAD, ROW_SCALES);
                if (cols == 0u || cols > TWIN_WIDE || rows != vocab) {
                    error = TELLME_ERROR_BAD_FIELD;
                    detail = pc;
                } else if (lastChunk) { /* N16, the call's last token only */
                    uint last = tokens - 1u;
                    float fx = mc[last] * INV127;
                    for (uint r = lid; r < rows; r += lsz) {
                        __global const char *row = (__global const char *) (image + weights + (ulong) r * cols);
                        int acc = 0;
                        for (uint i = 0; i < cols; i++) {
                            acc += (int) row[i] * (int) xq[last * TWIN_WIDE + i];
                        }
                        float logit = (float) acc * (read_f32(image, rowScales + 4UL * r) * fx);
                        write_u32(io, logitsOffset + 4UL * r, as_uint(logit));
                    }
                }
            } else if (opcode == TELLME_OP_BARRIER) {
                /* The barrier below makes the KV-cache writes visible to the whole work-group. */
            } else {
                error = TELLME_ERROR_UNKNOWN_OPCODE;
                detail = pc;
            }
            barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);

            /* The instruction's debug-tap record, read from what it left (every work-item's results are
             * visible after the barrier above), while it fits; the padding to the next record is written 0. */
            uint tapElements = 0u;
            uint tapVectors = tokens;
            bool tapped = tapping && error == TELLME_ERROR_NONE;
            if (opcode == TELLME_OP_EMBED) {
                tapElements = FIELD(EMBED, DIM);
            } else if (opcode == TELLME_OP_QUANTIZE) {
                tapElements = FIELD(QUANTIZE, LENGTH) + 1u;
            } else if (opcode == TELLME_OP_LINEAR) {
                tapElements = FIELD(LINEAR, ROWS);
            } else if (opcode == TELLME_OP_ATTENTION) {
                tapElements = heads * headDim;
            } else if (opcode == TELLME_OP_LM_HEAD && lastChunk) {
                tapElements = FIELD(LM_HEAD, ROWS);
                tapVectors = 1u;
            } else {
                tapped = false;
            }
            if (tapped) {
                ulong size = tellme_debug_record_bytes(tapVectors, tapElements);
                if (tapDropped == 0u && TELLME_DEBUG_HEADER_BYTES + (ulong) tapUsed + size <= tapCapacity) {
                    ulong at = debugBase + TELLME_DEBUG_HEADER_BYTES + tapUsed;
                    if (lid == 0u) {
                        write_u32(io, at + TELLME_DEBUG_RECORD_INSTRUCTION, pc);
                        write_u32(io, at + TELLME_DEBUG_RECORD_FIRST_TOKEN, from);
                        write_u32(io, at + TELLME_DEBUG_RECORD_TOKENS, tapVectors);
                        write_u32(io, at + TELLME_DEBUG_RECORD_ELEMENTS, tapElements);
                    }
                    uint epilogue = FIELD(LINEAR, EPILOGUE);
                    bool fromCache = opcode == TELLME_OP_LINEAR && (epilogue == TELLME_EPILOGUE_ROPE_KEY_CACHE
                            || epilogue == TELLME_EPILOGUE_VALUE_CACHE);
                    uint dstId = opcode == TELLME_OP_EMBED ? FIELD(EMBED, DST)
                            : opcode == TELLME_OP_ATTENTION ? FIELD(ATTENTION, DST) : FIELD(LINEAR, DST);
                    /* Chosen here rather than through buffer_of: PoCL 3.1 read zeros through a Vec built in this
                     * region (a struct holding a local pointer, between two barriers). */
                    __local const float *dstBase = dstId == TELLME_BUFFER_RESIDUAL ? residual
                            : dstId == TELLME_BUFFER_QUERY ? query : dstId == TELLME_BUFFER_ATTENTION ? attention
                            : dstId == TELLME_BUFFER_GATE ? gate : ffn;
                    uint dstStride = dstId == TELLME_BUFFER_RESIDUAL ? TWIN_DIM
                            : dstId == TELLME_BUFFER_QUERY || dstId == TELLME_BUFFER_ATTENTION ? TWIN_QDIM : TWIN_FFN;
                    uint words = (uint) ((size - TELLME_DEBUG_RECORD_HEADER_BYTES) / 4u);
                    for (uint k = lid; k < words; k += lsz) {
                        uint bits = 0u;
                        if (k < tapVectors * tapElements) {
                            uint j = k / tapElements;
                            uint e = k % tapElements;
                            if (opcode == TELLME_OP_QUANTIZE) {
                                bits = as_uint(e + 1u < tapElements ? (float) (int) xq[j * TWIN_WIDE + e] : mc[j]);
                            } else if (opcode == TELLME_OP_LM_HEAD) {
                                bits = read_u32(io, logitsOffset + 4UL * e);
                            } else if (fromCache) {
                                uint kind = epilogue == TELLME_EPILOGUE_ROPE_KEY_CACHE ? TELLME_KV_KEYS
                                        : TELLME_KV_VALUES;
                                ulong row = tellme_kv_row_offset(kvHeads, headDim, positions, FIELD(LINEAR, LAYER),
                                        e / headDim, kind, first + j) / 2u;
                                bits = as_uint(st_decode(kv_cache[row + e % headDim]));
                            } else {
                                bits = as_uint(dstBase[j * dstStride + e]);
                            }
                        }
                        write_u32(io, at + TELLME_DEBUG_RECORD_HEADER_BYTES + 4UL * k, bits);
                    }
                    tapUsed += (uint) size;
                    tapRecords++;
                } else {
                    tapDropped++;
                }
                barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
            }
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);

    if (lid == 0u) { /* the call record (IoRegion) */
        uint argmax = 0u;
        if (error == TELLME_ERROR_NONE) {
            float best = as_float(read_u32(io, logitsOffset));
            for (uint r = 1u; r < vocab; r++) {
                float v = as_float(read_u32(io, logitsOffset + 4UL * r));
                if (v > best) {
                    best = v;
                    argmax = r;
                }
            }
        }
        write_u32(io, TELLME_IO_RECORD_STATUS, error == TELLME_ERROR_NONE ? TELLME_STATUS_SUCCEEDED
                : TELLME_STATUS_FAILED);
        write_u32(io, TELLME_IO_RECORD_ERROR_CODE, error);
        write_u32(io, TELLME_IO_RECORD_ERROR_DETAIL, detail);
        write_u32(io, TELLME_IO_RECORD_POSITION, error == TELLME_ERROR_NONE ? start_position + token_count
                : start_position);
        write_u32(io, TELLME_IO_RECORD_INSTRUCTIONS, executed);
        write_u32(io, TELLME_IO_RECORD_ARGMAX, argmax);
        for (uint at = TELLME_IO_RECORD_CYCLES; at < TELLME_IO_RECORD_BYTES; at += 4u) {
            write_u32(io, at, 0u); /* no clock: cycles, DDR-busy and stall cycles are 0; the rest is reserved */
        }
        if (tapping) {
            write_u32(io, debugBase + TELLME_DEBUG_RECORDS, tapRecords);
            write_u32(io, debugBase + TELLME_DEBUG_USED, tapUsed);
            write_u32(io, debugBase + TELLME_DEBUG_DROPPED, tapDropped);
        }
    }
}

/* The exact functions one by one, for OpenClTwinSourceTest's conformance checks (N18): out[i] = f(in[i]) as
 * bit patterns; function 0 exp, 1 reciprocal, 2 rsqrt, 3 SiLU, 4 ReLU^2, 5 st, 6 (float) (1 / in[i]) of an
 * integer, 7 toInt8. */
__kernel void tellme_numerics(uint function, __global const uint *in, __global uint *out, uint n) {
    for (uint i = get_global_id(0); i < n; i += get_global_size(0)) {
        float x = as_float(in[i]);
        float y;
        switch (function) {
            case 0: y = exact_exp(x); break;
            case 1: y = exact_reciprocal(x); break;
            case 2: y = exact_rsqrt(x); break;
            case 3: y = exact_silu(x); break;
            case 4: y = exact_relu2(x); break;
            case 5: y = st_round(x); break;
            case 6: y = inverse_of(in[i]); break;
            default: y = as_float((uint) (int) to_int8(x)); break;
        }
        out[i] = as_uint(y);
    }
}
