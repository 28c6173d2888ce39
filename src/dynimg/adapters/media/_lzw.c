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
       leave a pair in the dictionary twice; the newest is what the child list meets first. */
    uint32_t hash_key[HASH_SIZE];
    uint16_t hash_code[HASH_SIZE];
    uint16_t next_sibling[MAX_CODES];
    uint8_t suffix[MAX_CODES];
    uint8_t first[MAX_CODES];
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
        d->first[i] = (uint8_t)(i & 0xFF);
    }
    memset(d->hash_key, 0xFF, sizeof d->hash_key);
    d->next_code = FIRST_FREE;
    d->code_size = MIN_CODE_SIZE + 1;
}

static uint32_t hash_slot(uint32_t key) { return (key * 2654435761u) >> 19; } /* 13 bits */

/* The newest code for `prefix` followed by `symbol`, or NONE. */
static int child_with(const Dictionary *d, int prefix, int symbol) {
    uint32_t key = ((uint32_t)prefix << 8) | (uint32_t)symbol;
    for (uint32_t slot = hash_slot(key);; slot = (slot + 1) & (HASH_SIZE - 1)) {
        if (d->hash_key[slot] == key) return d->hash_code[slot];
        if (d->hash_key[slot] == 0xFFFFFFFFu) return NONE;
    }
}

static void remember_child(Dictionary *d, int prefix, int symbol, int code) {
    uint32_t key = ((uint32_t)prefix << 8) | (uint32_t)symbol;
    uint32_t slot = hash_slot(key);
    while (d->hash_key[slot] != key && d->hash_key[slot] != 0xFFFFFFFFu)
        slot = (slot + 1) & (HASH_SIZE - 1);
    d->hash_key[slot] = key;
    d->hash_code[slot] = (uint16_t)code;
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

static int trunc_div4(int value) { return value * 3 / 4; } /* C truncates toward zero */

typedef struct {
    const uint8_t *wanted, *previous, *palette, *source, *nearest;
    int tolerance, transparent;
} Frame;

/* The colour symbol `s` shows at pixel `p`. */
static const uint8_t *shown_colour(const Frame *f, Py_ssize_t p, int s) {
    if (f->previous && s == f->transparent) return f->palette + 3 * f->previous[p];
    return f->palette + 3 * s;
}

/* The symbol written for an exact match: transparent where the pixel shows it already. */
static int exact_symbol(const Frame *f, Py_ssize_t p) {
    if (f->previous && f->wanted[p] == f->previous[p]) return f->transparent;
    return f->wanted[p];
}

static int judged_at_source(const Frame *f, Py_ssize_t p) { return f->nearest && f->nearest[p]; }

/* Squared error of symbol `s` at pixel `p`, and `out` the error carried on (per channel).
   Dithered pixels: against the wanted colour plus the carried error, carried on. Pixels mapped
   to the nearest colour (`nearest`): against the source pixel, nothing carried. */
static int symbol_error(const Frame *f, Py_ssize_t p, int s, const int carry[3], int out[3]) {
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
   source NEAREST_FACTOR times the wanted colour's own squared error there. */
static int pixel_limit(const Frame *f, Py_ssize_t p) {
    if (!judged_at_source(f, p)) return f->tolerance;
    int out[3], zero[3] = {0, 0, 0};
    return f->tolerance + NEAREST_FACTOR * symbol_error(f, p, f->wanted[p], zero, out);
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

/* The child of `node` that pixel `p` continues the string with, greedily, or NONE; `out` gets
   its carried error and `limit` the pixel's limit. The exact symbol when the string goes on
   with it within tolerance, else the child with the least error. The exact symbol shows the
   wanted colour, so its error is the carry alone (none when the carry is zero), or where
   judged at the source the wanted colour's own error, which the limit always admits: then
   nothing is computed. */
static int greedy_child(const Dictionary *d, const Frame *f, Py_ssize_t p, int node,
                        const int carry[3], int out[3], int *limit) {
    int best = NONE;
    int child = child_with(d, node, exact_symbol(f, p));
    *limit = f->tolerance;
    out[0] = out[1] = out[2] = 0;
    if (child != NONE && (judged_at_source(f, p) || !(carry[0] | carry[1] | carry[2])))
        return child;
    *limit = pixel_limit(f, p);
    if (child != NONE && symbol_error(f, p, exact_symbol(f, p), carry, out) <= *limit)
        best = child;
    if (best == NONE) best = least_error_child(d, f, p, node, carry, *limit, out);
    return best;
}

/* How many pixels from `p` on the string at `node` goes on greedily (no lookahead). */
static Py_ssize_t greedy_length(const Dictionary *d, const Frame *f, Py_ssize_t p,
                                Py_ssize_t end, int node, const int carry[3]) {
    int c0[3] = {carry[0], carry[1], carry[2]}, out[3], limit;
    Py_ssize_t q = p;
    while (q < end) {
        int best = greedy_child(d, f, q, node, c0, out, &limit);
        if (best == NONE) break;
        node = best;
        for (int c = 0; c < 3; c++) c0[c] = trunc_div4(out[c]);
        q++;
    }
    return q - p;
}

/* At a busy pixel, the admissible child of `node` whose string goes on furthest (`best`, the
   greedy choice, on ties). Busy pixels carry nothing, so each goes on with no carry. */
static int furthest_child(const Dictionary *d, const Frame *f, Py_ssize_t p, Py_ssize_t end,
                          int node, int best) {
    int zero[3] = {0, 0, 0}, out[3], chosen = best, limit = -1;
    int candidates[2] = {f->previous ? child_with(d, node, f->transparent) : NONE,
                         child_with(d, node, d->suffix[node])};
    Py_ssize_t best_length = -1;
    for (int i = 0; i < 2; i++) {
        int child = candidates[i];
        /* A child without children goes no further than `best`: not worth its arithmetic. */
        if (child == NONE || child == best || (i == 1 && child == candidates[0]) ||
            d->first_child[child] == NONE)
            continue;
        if (limit < 0) limit = pixel_limit(f, p);
        if (symbol_error(f, p, d->suffix[child], zero, out) > limit) continue;
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
    for (int c = 0; c < 3; c++) carry[c] = trunc_div4(error[c]);
    shown[start] = (f->previous && node == f->transparent) ? f->previous[start] : (uint8_t)node;
    Py_ssize_t p = start + 1;
    while (p < end) {
        int best_carry[3], limit;
        int best = greedy_child(d, f, p, node, carry, best_carry, &limit);
        if (best == NONE) break;
        if (look && judged_at_source(f, p)) best = furthest_child(d, f, p, end, node, best);
        node = best;
        for (int c = 0; c < 3; c++) carry[c] = trunc_div4(best_carry[c]);
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
    d->first[code] = d->first[prefix];
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
    Frame f = {wanted.buf,  previous.len ? previous.buf : NULL,
               palette.buf, nearest.len ? source.buf : NULL,
               nearest.len ? nearest.buf : NULL, tolerance, transparent};
    PyObject *shown = PyBytes_FromStringAndSize(NULL, n);
    Dictionary *d = PyMem_RawMalloc(sizeof(Dictionary));
    BitWriter w = {NULL, 0, 0, 0, 0};
    int failed = !shown || !d;
    if (!failed) {
        Py_BEGIN_ALLOW_THREADS
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
