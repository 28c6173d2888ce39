/*
 * Lossy LZW for GIF: the compiled twin of dynimg/adapters/media/lzw.py (same algorithm, same
 * output byte for byte; see there for the idea). Optional: when it cannot be built, the pure
 * Python encoder is used instead.
 *
 * encode(wanted, previous, palette, tolerance, transparent[, source, nearest]) -> (codes, shown)
 *   wanted:      bytes, the palette index each pixel should show (never `transparent`)
 *   previous:    bytes of the same length (what the viewer shows there now) or b"" (nothing)
 *   palette:     768 bytes (256 RGB entries)
 *   tolerance:   largest squared RGB error a pixel may take, 0 = lossless
 *   transparent: the transparent index (used only with `previous`)
 *   source:      the source pixels (RGB, 3 bytes a pixel) or b"" (none)
 *   nearest:     a byte a pixel, nonzero where the mapping chose the nearest colour (not
 *                dithered): there a symbol is judged against `source`, see lzw.py
 * returns the LZW code stream (GIF bit order, minimum code size 8, not yet in sub-blocks) and
 * the indices a decoder shows (`previous` where the transparent index was written).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAX_CODES 4096
#define MIN_CODE_SIZE 8
#define CLEAR_CODE 256
#define EOI_CODE 257
#define FIRST_FREE 258
#define NONE 0xFFFF
#define NEAREST_FACTOR 2 /* lzw.py NEAREST_FACTOR */

#define HASH_SIZE 8192 /* a power of two, twice MAX_CODES: probes stay short */

typedef struct {
    uint16_t first_child[MAX_CODES];
    /* (prefix, symbol) -> the newest code for it, so the exact continuation is found without
       walking the prefix's children (up to 256 of them near the root). A lossy match may
       leave a pair in the dictionary twice; the newest is what the child list meets first.
       A slot holds the key (prefix, 12 bits, and symbol, 8) above the code (12 bits): one
       load, and the table (32 KiB) stays in the first-level cache more often than a table of
       keys beside one of codes did. EMPTY is no pair's (code 4095 gets no children). */
    uint32_t hash[HASH_SIZE];
    uint16_t next_sibling[MAX_CODES];
    uint8_t suffix[MAX_CODES];
    int next_code;
    int code_size;
} Dictionary;

typedef struct {
    uint8_t *data;
    Py_ssize_t length, capacity;
    uint32_t bits;
    int count;
} BitWriter;

static void dict_reset(Dictionary *d) {
    for (int i = 0; i < MAX_CODES; i++) {
        d->first_child[i] = NONE;
        d->next_sibling[i] = NONE;
        d->suffix[i] = (uint8_t)(i & 0xFF);
    }
    memset(d->hash, 0xFF, sizeof d->hash);
    d->next_code = FIRST_FREE;
    d->code_size = MIN_CODE_SIZE + 1;
}

#define EMPTY 0xFFFFFFFFu

static inline uint32_t hash_slot(uint32_t key) { return (key * 2654435761u) >> 19; } /* 13 bits */

/* The newest code for `prefix` followed by `symbol`, or NONE. */
static inline int child_with(const Dictionary *d, int prefix, int symbol) {
    uint32_t key = ((uint32_t)prefix << 8) | (uint32_t)symbol;
    for (uint32_t slot = hash_slot(key);; slot = (slot + 1) & (HASH_SIZE - 1)) {
        uint32_t entry = d->hash[slot];
        if (entry == EMPTY) return NONE; /* first: its key part is (4095, 255)'s */
        if (entry >> 12 == key) return (int)(entry & 0xFFF);
    }
}

static void remember_child(Dictionary *d, int prefix, int symbol, int code) {
    uint32_t key = ((uint32_t)prefix << 8) | (uint32_t)symbol;
    uint32_t slot = hash_slot(key);
    while (d->hash[slot] != EMPTY && d->hash[slot] >> 12 != key)
        slot = (slot + 1) & (HASH_SIZE - 1);
    d->hash[slot] = key << 12 | (uint32_t)code;
}

static int put_code(BitWriter *w, int code, int size) {
    w->bits |= (uint32_t)code << w->count;
    w->count += size;
    while (w->count >= 8) {
        if (w->length == w->capacity) {
            Py_ssize_t capacity = w->capacity * 2 + 1024;
            uint8_t *grown = PyMem_RawRealloc(w->data, (size_t)capacity);
            if (!grown) return -1;
            w->data = grown;
            w->capacity = capacity;
        }
        w->data[w->length++] = (uint8_t)(w->bits & 0xFF);
        w->bits >>= 8;
        w->count -= 8;
    }
    return 0;
}

static int flush_bits(BitWriter *w) {
    return w->count > 0 ? put_code(w, 0, 8 - w->count) : 0;
}

static inline int trunc_div4(int value) { return value * 3 / 4; } /* C truncates toward zero */

/* The error carried on from a pixel whose error is `out`: three quarters of it (mostly none:
   at tolerance 0 no pixel carries anything). */
static inline void carry_on(const int out[3], int carry[3]) {
    if (out[0] | out[1] | out[2])
        for (int c = 0; c < 3; c++) carry[c] = trunc_div4(out[c]);
    else
        carry[0] = carry[1] = carry[2] = 0;
}

#define MAX_TWINS 3

typedef struct {
    const uint8_t *wanted, *previous, *palette, *source;
    /* A byte a pixel, nonzero where judged at the source (`nearest`; all zero without it). */
    const uint8_t *busy;
    /* pixel_limit of every pixel, worked out once: a pixel is met again by each lookahead. */
    const int *limit;
    int tolerance, transparent;
    /* The transparent index where it shows `previous` (with `previous`), else -1: no symbol. */
    int shows_previous;
    /* The other symbols showing palette entry s's colour (a palette may repeat a colour, as
       the zeros padding it to 256 entries do), never the transparent one with `previous`;
       twin_count -1: more than MAX_TWINS (or s shows `previous`), look at every child. */
    int8_t twin_count[256];
    uint8_t twins[256][MAX_TWINS];
} Frame;

/* The colour symbol `s` shows at pixel `p`. */
static inline const uint8_t *shown_colour(const Frame *f, Py_ssize_t p, int s) {
    if (s == f->shows_previous) return f->palette + 3 * f->previous[p];
    return f->palette + 3 * s;
}

/* The symbol written for an exact match: transparent where the pixel shows it already. */
static inline int exact_symbol(const Frame *f, Py_ssize_t p) {
    if (f->previous && f->wanted[p] == f->previous[p]) return f->transparent;
    return f->wanted[p];
}

static inline int judged_at_source(const Frame *f, Py_ssize_t p) { return f->busy[p]; }

/* Squared error of symbol `s` at pixel `p`, and `out` the error carried on (per channel).
   Dithered pixels: against the wanted colour plus the carried error, carried on. Pixels mapped
   to the nearest colour (`nearest`): against the source pixel, nothing carried. */
static inline int symbol_error(const Frame *f, Py_ssize_t p, int s, const int carry[3],
                               int out[3]) {
    const uint8_t *want = f->palette + 3 * f->wanted[p];
    const uint8_t *have = shown_colour(f, p, s);
    int total = 0;
    if (judged_at_source(f, p)) {
        const uint8_t *source = f->source + 3 * p;
        for (int c = 0; c < 3; c++) {
            int off = (int)source[c] - (int)have[c];
            total += off * off;
            out[c] = 0;
        }
        return total;
    }
    for (int c = 0; c < 3; c++) {
        out[c] = (int)want[c] + carry[c] - (int)have[c];
        total += out[c] * out[c];
    }
    return total;
}

/* The largest error pixel `p` may take: the tolerance, plus where it is judged against the
   source NEAREST_FACTOR times the wanted colour's own squared error there. Read from
   `f->limit`, filled by frame_limits. */
static inline int pixel_limit(const Frame *f, Py_ssize_t p) { return f->limit[p]; }

static void frame_limits(const Frame *f, Py_ssize_t n, int *limit) {
    for (Py_ssize_t p = 0; p < n; p++) {
        int total = 0;
        if (f->busy[p]) {
            const uint8_t *want = shown_colour(f, p, f->wanted[p]), *source = f->source + 3 * p;
            for (int c = 0; c < 3; c++) total += (source[c] - want[c]) * (source[c] - want[c]);
        }
        limit[p] = f->tolerance + NEAREST_FACTOR * total;
    }
}

static int compare_keys(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The twin lists of `f` (see Frame): the symbols sorted by colour, then each run of one
   colour. */
static void frame_twins(Frame *f) {
    uint32_t keys[256];
    for (int s = 0; s < 256; s++) {
        const uint8_t *rgb = f->palette + 3 * s;
        keys[s] = (uint32_t)rgb[0] << 24 | (uint32_t)rgb[1] << 16 | (uint32_t)rgb[2] << 8 | s;
        f->twin_count[s] = -1; /* shows_previous: its colour is not its palette entry's */
    }
    qsort(keys, 256, sizeof keys[0], compare_keys);
    for (int start = 0, end; start < 256; start = end) {
        for (end = start + 1; end < 256 && keys[end] >> 8 == keys[start] >> 8;) end++;
        int run[256], size = 0;
        for (int i = start; i < end; i++)
            if ((int)(keys[i] & 0xFF) != f->shows_previous) run[size++] = (int)(keys[i] & 0xFF);
        for (int i = 0; i < size; i++) {
            f->twin_count[run[i]] = (int8_t)(size - 1 > MAX_TWINS ? -1 : size - 1);
            for (int j = 0, k = 0; j < size && size - 1 <= MAX_TWINS; j++)
                if (j != i) f->twins[run[i]][k++] = (uint8_t)run[j];
        }
    }
}

/* The child of `node` whose symbol shows the colour nearest pixel `p`'s target (the wanted
   colour plus the carry, or the source pixel), within `limit`; the first of equals in list
   order (newest first). NONE when none is; `out` gets its carried error. The target is
   worked out once, not per child as symbol_error would. */
static int least_error_child(const Dictionary *d, const Frame *f, Py_ssize_t p, int node,
                             const int carry[3], int limit, int out[3]) {
    int target[3], at_source = judged_at_source(f, p);
    const uint8_t *want = at_source ? f->source + 3 * p : f->palette + 3 * f->wanted[p];
    for (int c = 0; c < 3; c++) target[c] = (int)want[c] + (at_source ? 0 : carry[c]);
    int best = NONE, best_error = limit + 1;
    for (int child = d->first_child[node]; child != NONE; child = d->next_sibling[child]) {
        const uint8_t *have = shown_colour(f, p, d->suffix[child]);
        int r = target[0] - have[0], g = target[1] - have[1], b = target[2] - have[2];
        int total = r * r + g * g + b * b;
        if (total < best_error) {
            best_error = total;
            best = child;
        }
    }
    if (best != NONE) symbol_error(f, p, d->suffix[best], carry, out);
    return best;
}

/* least_error_child where the limit is 0 and nothing is carried (a dithered pixel at tolerance
   0: it must show the wanted colour exactly): the newest child whose symbol shows the wanted
   colour, found by the hash instead of walking the children (the newest is the first in list
   order). Those symbols: the wanted index and its twins, and the transparent index where the
   colour shown already is the wanted one; `exact`, whose child is known to be missing, aside. */
static int same_colour_child(const Dictionary *d, const Frame *f, Py_ssize_t p, int node,
                             int exact) {
    int wanted = f->wanted[p], best = -1, child;
    if (wanted != exact && (child = child_with(d, node, wanted)) != NONE) best = child;
    for (int i = 0; i < f->twin_count[wanted]; i++) {
        int twin = f->twins[wanted][i];
        if (twin != exact && (child = child_with(d, node, twin)) != NONE && child > best)
            best = child;
    }
    if (f->shows_previous >= 0 && exact != f->shows_previous &&
        memcmp(f->palette + 3 * f->previous[p], f->palette + 3 * wanted, 3) == 0 &&
        (child = child_with(d, node, f->shows_previous)) != NONE && child > best)
        best = child;
    return best < 0 ? NONE : best;
}

/* greedy_child where the exact symbol does not go on (`child` NONE) or the carry may push it
   past the limit: apart, so that the common case is inlined into the loops that call it. */
static int __attribute__((noinline))
inexact_child(const Dictionary *d, const Frame *f, Py_ssize_t p, int node, int exact, int child,
              int still, const int carry[3], int out[3]) {
    int limit = pixel_limit(f, p);
    if (child != NONE && symbol_error(f, p, exact, carry, out) <= limit) return child;
    if (limit == 0 && still && !judged_at_source(f, p) && f->twin_count[f->wanted[p]] >= 0)
        return same_colour_child(d, f, p, node, exact);
    return least_error_child(d, f, p, node, carry, limit, out);
}

/* The child of `node` that pixel `p` continues the string with, greedily, or NONE; `out` gets
   its carried error. The exact symbol when the string goes on with it within tolerance, else
   the child with the least error. The exact symbol shows the wanted colour, so its error is
   the carry alone (none when the carry is zero), or where judged at the source the wanted
   colour's own error, which the limit always admits: then nothing is computed. */
static inline int greedy_child(const Dictionary *d, const Frame *f, Py_ssize_t p, int node,
                               const int carry[3], int out[3]) {
    int exact = exact_symbol(f, p);
    int child = child_with(d, node, exact);
    int still = !(carry[0] | carry[1] | carry[2]);
    out[0] = out[1] = out[2] = 0;
    if (child != NONE && (judged_at_source(f, p) || still)) return child;
    return inexact_child(d, f, p, node, exact, child, still, carry, out);
}

/* How many pixels from `p` on the string at `node` goes on greedily (no lookahead). */
static Py_ssize_t greedy_length(const Dictionary *d, const Frame *f, Py_ssize_t p,
                                Py_ssize_t end, int node, const int carry[3]) {
    int c0[3] = {carry[0], carry[1], carry[2]}, out[3];
    Py_ssize_t q = p;
    while (q < end) {
        int best = greedy_child(d, f, q, node, c0, out);
        if (best == NONE) break;
        node = best;
        carry_on(out, c0);
        q++;
    }
    return q - p;
}

/* At a busy pixel, the admissible child of `node` whose string goes on furthest (`best`, the
   greedy choice, on ties). Busy pixels carry nothing, so each goes on with no carry. */
static int furthest_child(const Dictionary *d, const Frame *f, Py_ssize_t p, Py_ssize_t end,
                          int node, int best) {
    int zero[3] = {0, 0, 0}, out[3], chosen = best;
    /* `best` is the newest child with its symbol, as child_with finds: a candidate with the
       same symbol is `best` itself, found without the hash. */
    int symbols[2] = {f->previous ? f->transparent : -1, d->suffix[node]}, taken = d->suffix[best];
    Py_ssize_t best_length = -1;
    for (int i = 0; i < 2; i++) {
        int child = symbols[i] < 0 || symbols[i] == taken || (i == 1 && symbols[1] == symbols[0])
                        ? NONE
                        : child_with(d, node, symbols[i]);
        /* A child without children goes no further than `best`: not worth its arithmetic. */
        if (child == NONE || d->first_child[child] == NONE) continue;
        if (symbol_error(f, p, d->suffix[child], zero, out) > pixel_limit(f, p)) continue;
        if (best_length < 0) best_length = greedy_length(d, f, p + 1, end, best, zero);
        Py_ssize_t length = greedy_length(d, f, p + 1, end, child, zero);
        if (length > best_length) {
            best_length = length;
            chosen = child;
        }
    }
    return chosen;
}

static int longest_match(const Dictionary *d, const Frame *f, Py_ssize_t start, Py_ssize_t end,
                         int first, int look, int carry[3], uint8_t *shown,
                         Py_ssize_t *length) {
    int node = first;
    int error[3];
    symbol_error(f, start, node, carry, error);
    carry_on(error, carry);
    shown[start] = (f->previous && node == f->transparent) ? f->previous[start] : (uint8_t)node;
    Py_ssize_t p = start + 1;
    while (p < end) {
        int best_carry[3];
        int best = greedy_child(d, f, p, node, carry, best_carry);
        if (best == NONE) break;
        if (look && judged_at_source(f, p)) best = furthest_child(d, f, p, end, node, best);
        node = best;
        carry_on(best_carry, carry);
        int s = d->suffix[best];
        shown[p] = (f->previous && s == f->transparent) ? f->previous[p] : (uint8_t)s;
        p++;
    }
    *length = p - start;
    return node;
}

/* The symbol a code starting at pixel `start` begins with. Exact, except on a busy pixel
   (judged at the source) where another symbol is admitted too: the transparent index (the
   colour shown already) or the symbol of the pixel before (the colour just written), when
   within the pixel's limit. Then the one whose string goes furthest is taken, the exact symbol
   on ties: one code's lookahead, each candidate matched as it would be (into `shown`, which
   the real match writes again). */
static int first_symbol(const Dictionary *d, const Frame *f, Py_ssize_t start, Py_ssize_t end,
                        const int carry[3], uint8_t *shown) {
    int exact = exact_symbol(f, start);
    if (!judged_at_source(f, start)) return exact;
    int candidates[3] = {exact, NONE, NONE}, count = 1, limit = pixel_limit(f, start), out[3];
    if (f->previous && exact != f->transparent &&
        symbol_error(f, start, f->transparent, carry, out) <= limit)
        candidates[count++] = f->transparent;
    if (start > 0) {
        int left = shown[start - 1]; /* a colour index: what the pixel before shows */
        if (left != exact && left != f->transparent &&
            symbol_error(f, start, left, carry, out) <= limit)
            candidates[count++] = left;
    }
    if (count == 1) return exact;
    int best = exact;
    Py_ssize_t best_length = 0, length;
    for (int i = 0; i < count; i++) {
        int scratch[3] = {carry[0], carry[1], carry[2]};
        /* For the last candidate only whether it goes further matters: matched one pixel past
           the best at most (not earlier ones: a later candidate is compared with their length). */
        Py_ssize_t stop = i == count - 1 && i && end - start > best_length + 1
                              ? start + best_length + 1
                              : end;
        longest_match(d, f, start, stop, candidates[i], 0, scratch, shown, &length);
        if (length > best_length) {
            best_length = length;
            best = candidates[i];
        }
    }
    return best;
}

static void add_entry(Dictionary *d, int prefix, int symbol) {
    int code = d->next_code++;
    d->suffix[code] = (uint8_t)symbol;
    d->first_child[code] = NONE;
    d->next_sibling[code] = d->first_child[prefix];
    d->first_child[prefix] = (uint16_t)code;
    remember_child(d, prefix, symbol, code);
    if (d->next_code > (1 << d->code_size) && d->code_size < 12) d->code_size++;
}

static int encode_codes(Dictionary *d, const Frame *f, Py_ssize_t n, uint8_t *shown,
                        BitWriter *w) {
    dict_reset(d);
    if (put_code(w, CLEAR_CODE, d->code_size)) return -1;
    int carry[3] = {0, 0, 0};
    Py_ssize_t p = 0, length = 0;
    int first = first_symbol(d, f, p, n, carry, shown);
    while (p < n) {
        int code = longest_match(d, f, p, n, first, 1, carry, shown, &length);
        if (put_code(w, code, d->code_size)) return -1;
        p += length;
        if (d->next_code == MAX_CODES) {
            if (put_code(w, CLEAR_CODE, d->code_size)) return -1;
            dict_reset(d);
            if (p < n) first = first_symbol(d, f, p, n, carry, shown);
            continue;
        }
        /* The entry a decoder adds on reading the next code: this string plus the next
           pixel's symbol (the first pixel of a code is exact), added now so that the next
           match may use it already, as plain LZW does (a decoder meets it as the KwKwK
           case). Added after the match, a run of one colour grew by one pixel every other
           code and left duplicate entries: 27% more bytes on a screen recording. */
        if (p < n) {
            first = first_symbol(d, f, p, n, carry, shown);
            add_entry(d, code, first);
        }
    }
    if (put_code(w, EOI_CODE, d->code_size)) return -1;
    return flush_bits(w);
}

static PyObject *lzw_encode(PyObject *self, PyObject *args) {
    Py_buffer wanted, previous, palette, source = {0}, nearest = {0};
    int tolerance, transparent;
    if (!PyArg_ParseTuple(args, "y*y*y*ii|y*y*", &wanted, &previous, &palette, &tolerance,
                          &transparent, &source, &nearest))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = wanted.len;
    if (palette.len != 768 || (previous.len && previous.len != n) ||
        (nearest.len && (nearest.len != n || source.len != 3 * n))) {
        PyErr_SetString(PyExc_ValueError, "palette must be 768 bytes, previous and nearest as "
                                          "long as wanted, source three times as long");
        goto done;
    }
    Frame f = {.wanted = wanted.buf,
               .previous = previous.len ? previous.buf : NULL,
               .palette = palette.buf,
               .source = nearest.len ? source.buf : NULL,
               .tolerance = tolerance,
               .transparent = transparent,
               .shows_previous = previous.len ? transparent : -1};
    PyObject *shown = PyBytes_FromStringAndSize(NULL, n);
    Dictionary *d = PyMem_RawMalloc(sizeof(Dictionary));
    int *limit = PyMem_RawMalloc(sizeof(int) * (size_t)(n ? n : 1));
    uint8_t *busy = nearest.len ? NULL : PyMem_RawCalloc((size_t)(n ? n : 1), 1);
    BitWriter w = {NULL, 0, 0, 0, 0};
    int failed = !shown || !d || !limit || (!nearest.len && !busy);
    if (!failed) {
        Py_BEGIN_ALLOW_THREADS
        f.busy = nearest.len ? nearest.buf : busy;
        f.limit = limit;
        frame_limits(&f, n, limit);
        frame_twins(&f);
        failed = n > 0 && encode_codes(d, &f, n, (uint8_t *)PyBytes_AS_STRING(shown), &w);
        if (n == 0) failed = put_code(&w, CLEAR_CODE, 9) || put_code(&w, EOI_CODE, 9) ||
                             flush_bits(&w);
        Py_END_ALLOW_THREADS
    }
    if (failed) {
        Py_XDECREF(shown);
        if (!PyErr_Occurred()) PyErr_NoMemory();
    } else {
        PyObject *codes = PyBytes_FromStringAndSize((const char *)w.data, w.length);
        result = codes ? Py_BuildValue("(NN)", codes, shown) : NULL;
        if (!result) Py_DECREF(shown);
    }
    PyMem_RawFree(d);
    PyMem_RawFree(limit);
    PyMem_RawFree(busy);
    PyMem_RawFree(w.data);
done:
    PyBuffer_Release(&wanted);
    PyBuffer_Release(&previous);
    PyBuffer_Release(&palette);
    if (source.obj) PyBuffer_Release(&source);
    if (nearest.obj) PyBuffer_Release(&nearest);
    return result;
}

static PyMethodDef methods[] = {
    {"encode", lzw_encode, METH_VARARGS, "Lossy LZW codes of one GIF frame, and what it shows."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_lzw", NULL, -1, methods};

/* ABI: lzw.py uses this module only when it says the version lzw.py expects (a venv may hold
   a build of an older _lzw.c, which takes other arguments). */
PyMODINIT_FUNC PyInit__lzw(void) {
    PyObject *m = PyModule_Create(&module);
    if (m && PyModule_AddIntConstant(m, "ABI", 2)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
