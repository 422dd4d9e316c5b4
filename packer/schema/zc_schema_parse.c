/* zc_schema_parse.c - the syntax pass of the schema compiler: .zcs text to
 * declarations (SPEC.md, "Schema language"). Names stay unresolved here; the resolve
 * pass (zc_schema_resolve.c) and the layout pass (zc_schema_layout.c) follow, both
 * run by zc_schema_parse. Safe on untrusted text: every token is bounded by the
 * input's length and every error names file:line:column.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "zc_schema_internal.h"

typedef enum zc__tok_kind { TOK_END, TOK_IDENT, TOK_INT, TOK_FLOAT, TOK_STRING, TOK_PUNCT } zc__tok_kind;

typedef struct zc__tok {
    zc__tok_kind kind;
    const char *start;          /* into the text; strings: after the quote */
    size_t length;
    char punct;
    uint32_t line, column;
} zc__tok;

typedef struct zc__parser {
    const char *file;
    const char *p, *end;
    uint32_t line;
    const char *line_start;
    zc__tok tok;                /* the current token */
    zc_schema *schema;
    zc_diag *diag;
    zc_result oom;              /* ZC_ERR_OUT_OF_MEMORY once an allocation failed */
} zc__parser;

zc_result zc__schema_error(zc_diag *diag, const char *file, uint32_t line, uint32_t column, const char *fmt, ...) {
    if (diag) {
        int n = snprintf(diag->message, sizeof diag->message, "%s:%u:%u: ", file, line, column);
        if (n < 0) n = 0;
        if ((size_t)n < sizeof diag->message) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(diag->message + n, sizeof diag->message - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return ZC_ERR_BAD_SOURCE;
}

void *zc__schema_push(void *array_ptr, uint32_t *count, size_t size) {
    void **array = (void **)array_ptr;
    /* The array holds the power of two at or above *count elements: it grows, to
     * twice as many, only when *count is 0 or a power of two, so a schema of n
     * declarations costs O(n) copies, not O(n^2). */
    if (*count == UINT32_MAX) return NULL;
    if ((*count & (*count - 1)) == 0) {
        char *grown = (char *)realloc(*array, (*count ? (size_t)*count * 2 : 1) * size);
        if (!grown) return NULL;
        *array = grown;
    }
    char *grown = (char *)*array;
    memset(grown + (size_t)*count * size, 0, size);
    return grown + (size_t)(*count)++ * size;
}

/* ---------------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------------- */

static int zc__is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int zc__is_digit(char c) { return c >= '0' && c <= '9'; }
static int zc__is_ident(char c) { return zc__is_ident_start(c) || zc__is_digit(c); }

static zc_result zc__lex_error(zc__parser *ps, const char *at, const char *what) {
    return zc__schema_error(ps->diag, ps->file, ps->line, (uint32_t)(at - ps->line_start) + 1, "%s", what);
}

/* Skip blanks, newlines and // comments, counting lines. */
static void zc__skip_space(zc__parser *ps) {
    while (ps->p < ps->end) {
        char c = *ps->p;
        if (c == '\n') {
            ps->line++;
            ps->line_start = ++ps->p;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            ps->p++;
        } else if (c == '/' && ps->p + 1 < ps->end && ps->p[1] == '/') {
            while (ps->p < ps->end && *ps->p != '\n') ps->p++;
        } else {
            break;
        }
    }
}

/* A number: -?digits[.digits][e[+-]digits] or -?0x hex digits. */
static zc_result zc__lex_number(zc__parser *ps) {
    const char *s = ps->p;
    if (*s == '-') s++;
    int is_float = 0;
    if (s + 1 < ps->end && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        while (s < ps->end && (zc__is_digit(*s) || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F'))) s++;
    } else {
        while (s < ps->end && (zc__is_digit(*s) || *s == '.' || *s == 'e' || *s == 'E' ||
                               ((*s == '+' || *s == '-') && (s[-1] == 'e' || s[-1] == 'E')))) {
            if (!zc__is_digit(*s)) is_float = 1;
            s++;
        }
    }
    if (s < ps->end && zc__is_ident(*s)) return zc__lex_error(ps, s, "malformed number");
    ps->tok.kind = is_float ? TOK_FLOAT : TOK_INT;
    ps->tok.length = (size_t)(s - ps->p);
    ps->p = s;
    return ZC_OK;
}

/* A string literal on one line; its escapes are decoded by zc__string_text. */
static zc_result zc__lex_string(zc__parser *ps) {
    const char *s = ps->p + 1;
    while (s < ps->end && *s != '"') {
        if (*s == '\n') break;
        if (*s == '\\' && s + 1 < ps->end) s++;
        s++;
    }
    if (s >= ps->end || *s != '"') return zc__lex_error(ps, ps->p, "unterminated string");
    ps->tok.kind = TOK_STRING;
    ps->tok.start = ps->p + 1;
    ps->tok.length = (size_t)(s - ps->p - 1);
    ps->p = s + 1;
    return ZC_OK;
}

static zc_result zc__next(zc__parser *ps) {
    zc__skip_space(ps);
    ps->tok.start = ps->p;
    ps->tok.line = ps->line;
    ps->tok.column = (uint32_t)(ps->p - ps->line_start) + 1;
    ps->tok.length = 0;
    if (ps->p >= ps->end) {
        ps->tok.kind = TOK_END;
        return ZC_OK;
    }
    char c = *ps->p;
    if (zc__is_ident_start(c)) {
        while (ps->p < ps->end && zc__is_ident(*ps->p)) ps->p++;
        ps->tok.kind = TOK_IDENT;
        ps->tok.length = (size_t)(ps->p - ps->tok.start);
        return ZC_OK;
    }
    if (zc__is_digit(c) || (c == '-' && ps->p + 1 < ps->end && zc__is_digit(ps->p[1]))) return zc__lex_number(ps);
    if (c == '"') return zc__lex_string(ps);
    if (strchr("{}[]<>():;,=?", c) && c != 0) {
        ps->tok.kind = TOK_PUNCT;
        ps->tok.punct = c;
        ps->tok.length = 1;
        ps->p++;
        return ZC_OK;
    }
    if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
        return zc__lex_error(ps, ps->p, "unexpected byte (schemas are ASCII outside strings)");
    char what[40];
    snprintf(what, sizeof what, "unexpected character '%c'", c);
    return zc__lex_error(ps, ps->p, what);
}

/* ---------------------------------------------------------------------------------
 * Helpers of the grammar
 * ------------------------------------------------------------------------------- */

static zc_result zc__syntax(zc__parser *ps, const char *expected) {
    const zc__tok *t = &ps->tok;
    if (t->kind == TOK_END)
        return zc__schema_error(ps->diag, ps->file, t->line, t->column, "expected %s, got the end of the file", expected);
    int n = t->length > 40 ? 40 : (int)t->length;
    return zc__schema_error(ps->diag, ps->file, t->line, t->column, "expected %s, got '%.*s'", expected, n, t->start);
}

static int zc__is_punct(const zc__parser *ps, char c) { return ps->tok.kind == TOK_PUNCT && ps->tok.punct == c; }

static int zc__is_word(const zc__parser *ps, const char *word) {
    return ps->tok.kind == TOK_IDENT && ps->tok.length == strlen(word) && memcmp(ps->tok.start, word, ps->tok.length) == 0;
}

static zc_result zc__expect(zc__parser *ps, char c) {
    if (!zc__is_punct(ps, c)) {
        char what[8] = { '\'', c, '\'', 0 };
        return zc__syntax(ps, what);
    }
    return zc__next(ps);
}

static char *zc__dup(zc__parser *ps, const char *s, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (!d) {
        ps->oom = ZC_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* Words that cannot name a declaration, a field or an enum value: the language's
 * own, and C and C++ keywords (the names become C identifiers). */
static int zc__reserved(const char *s, size_t n) {
    static const char *const words[] = {
        "enum", "struct", "union", "root", "type_tag", "map", "ref", "string", "true", "false", "null",
        "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "extern",
        "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short",
        "signed", "sizeof", "static", "switch", "typedef", "unsigned", "void", "volatile", "while",
        "class", "delete", "new", "namespace", "operator", "private", "protected", "public", "template",
        "this", "throw", "try", "catch", "typename", "using", "virtual", "friend", "mutable", "explicit",
        "export", "asm", "and", "or", "not", "xor", "bitand", "bitor", "compl", "nullptr", "decltype",
        "constexpr", "noexcept", "static_assert", "alignas", "alignof", "char16_t", "char32_t", "wchar_t",
        "thread_local", "const_cast", "dynamic_cast", "reinterpret_cast", "static_cast", "typeid",
        "and_eq", "or_eq", "xor_eq", "not_eq", "concept", "requires",
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; ++i)
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0) return 1;
    return 0;
}

/* An identifier that may name something: not reserved, no "__", not "_" first. */
static zc_result zc__name(zc__parser *ps, const char *what, char **out, uint32_t *line, uint32_t *column) {
    if (ps->tok.kind != TOK_IDENT) return zc__syntax(ps, what);
    const char *s = ps->tok.start;
    size_t n = ps->tok.length;
    int double_underscore = 0;
    for (size_t i = 0; i + 1 < n; ++i) double_underscore |= s[i] == '_' && s[i + 1] == '_';
    if (zc__reserved(s, n) || s[0] == '_' || double_underscore)
        return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column,
                                "'%.*s' cannot be a name (reserved word, or leading '_' or '__' inside)", (int)n, s);
    if (n > 64)
        return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column, "name longer than 64 characters");
    *line = ps->tok.line;
    *column = ps->tok.column;
    *out = zc__dup(ps, s, n);
    if (!*out) return ps->oom;
    return zc__next(ps);
}

/* Decode the escapes of a string token: \" \\ \n \t \r and \u00XX..\uFFFF as UTF-8.
 * The result must be valid UTF-8 without NUL. */
static zc_result zc__string_text(zc__parser *ps, char **out, size_t *out_length) {
    const zc__tok *t = &ps->tok;
    char *d = (char *)malloc(t->length * 3 + 1);
    if (!d) return ps->oom = ZC_ERR_OUT_OF_MEMORY;
    size_t n = 0;
    for (size_t i = 0; i < t->length; ++i) {
        char c = t->start[i];
        if (c != '\\') { d[n++] = c; continue; }
        char e = t->start[++i];
        if (e == '"' || e == '\\') d[n++] = e;
        else if (e == 'n') d[n++] = '\n';
        else if (e == 't') d[n++] = '\t';
        else if (e == 'r') d[n++] = '\r';
        else {
            free(d);
            return zc__schema_error(ps->diag, ps->file, t->line, t->column + (uint32_t)i + 1,
                                    "unknown escape '\\%c' in a string", e);
        }
    }
    d[n] = 0;
    if (!zc_utf8_valid((const uint8_t *)d, n)) {
        free(d);
        return zc__schema_error(ps->diag, ps->file, t->line, t->column, "string is not valid UTF-8 or holds a NUL");
    }
    *out = d;
    *out_length = n;
    return ZC_OK;
}

/* ---------------------------------------------------------------------------------
 * Types and defaults
 * ------------------------------------------------------------------------------- */

static zc_schema_kind zc__scalar_kind(const zc__parser *ps) {
#define ZC__SCALAR_WORD(name, text, ctype, size) if (zc__is_word(ps, text)) return ZC_SCHEMA_##name;
    ZC_SCHEMA_SCALAR_LIST(ZC__SCALAR_WORD)
#undef ZC__SCALAR_WORD
    if (zc__is_word(ps, "string")) return ZC_SCHEMA_STRING;
    return ZC__SCHEMA_NAMED;
}

static zc_result zc__parse_type(zc__parser *ps, uint32_t depth, uint32_t *out);

static zc_schema_type *zc__new_type(zc__parser *ps, zc_schema_kind kind, uint32_t *index) {
    zc_schema *s = ps->schema;
    zc_schema_type *t = (zc_schema_type *)zc__schema_push(&s->types, &s->type_count, sizeof *t);
    if (!t) {
        ps->oom = ZC_ERR_OUT_OF_MEMORY;
        return NULL;
    }
    t->kind = kind;
    t->line = ps->tok.line;
    t->column = ps->tok.column;
    *index = s->type_count - 1;
    return t;
}

/* map<K, V> after the word map. */
static zc_result zc__parse_map(zc__parser *ps, uint32_t depth, uint32_t index) {
    zc_result r = zc__expect(ps, '<');
    if (r != ZC_OK) return r;
    zc_schema_kind key = zc__scalar_kind(ps);
    if (key != ZC_SCHEMA_STRING && key != ZC_SCHEMA_U32 && key != ZC_SCHEMA_U64)
        return zc__syntax(ps, "a map key type (string, u32 or u64)");
    ps->schema->types[index].key = key;
    if ((r = zc__next(ps)) != ZC_OK || (r = zc__expect(ps, ',')) != ZC_OK) return r;
    uint32_t value;
    if ((r = zc__parse_type(ps, depth + 1, &value)) != ZC_OK) return r;
    ps->schema->types[index].elem = value;
    return zc__expect(ps, '>');
}

/* type := scalar | string | [type] | map<key, type> | ref Name | Name */
static zc_result zc__parse_type(zc__parser *ps, uint32_t depth, uint32_t *out) {
    if (depth > ZC_SCHEMA_MAX_DEPTH)
        return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column, "type nested too deeply");
    zc_result r;
    if (zc__is_punct(ps, '[')) {
        zc_schema_type *t = zc__new_type(ps, ZC_SCHEMA_VECTOR, out);
        if (!t) return ps->oom;
        uint32_t elem, index = *out;
        if ((r = zc__next(ps)) != ZC_OK) return r;
        if (zc__is_punct(ps, '?'))
            return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column,
                                    "vector elements cannot be optional");
        if ((r = zc__parse_type(ps, depth + 1, &elem)) != ZC_OK) return r;
        ps->schema->types[index].elem = elem;
        return zc__expect(ps, ']');
    }
    if (ps->tok.kind != TOK_IDENT) return zc__syntax(ps, "a type");
    zc_schema_kind kind = zc__scalar_kind(ps);
    if (zc__is_word(ps, "map")) kind = ZC_SCHEMA_MAP;
    if (zc__is_word(ps, "ref")) kind = ZC_SCHEMA_REF;
    zc_schema_type *t = zc__new_type(ps, kind, out);
    if (!t) return ps->oom;
    uint32_t index = *out, line, column;
    if (kind == ZC__SCHEMA_NAMED) {
        char *name;
        if ((r = zc__name(ps, "a type", &name, &line, &column)) != ZC_OK) return r;
        ps->schema->types[index].ref_name = name;
        return ZC_OK;
    }
    if ((r = zc__next(ps)) != ZC_OK) return r;
    if (kind == ZC_SCHEMA_MAP) return zc__parse_map(ps, depth, index);
    if (kind == ZC_SCHEMA_REF) {
        char *name;
        if ((r = zc__name(ps, "the name of the referenced entry type", &name, &line, &column)) != ZC_OK) return r;
        ps->schema->types[index].ref_name = name;
    }
    return ZC_OK;
}

/* literal := number | "string" | true | false | null | Name | [] | {} */
static zc_result zc__parse_default(zc__parser *ps, zc_schema_default *def) {
    def->set = 1;
    def->line = ps->tok.line;
    def->column = ps->tok.column;
    zc_result r;
    if (zc__is_punct(ps, '[') || zc__is_punct(ps, '{')) {
        char close = ps->tok.punct == '[' ? ']' : '}';
        def->literal = close == ']' ? ZC__SCHEMA_LIT_EMPTY_VECTOR : ZC__SCHEMA_LIT_EMPTY_MAP;
        if ((r = zc__next(ps)) != ZC_OK) return r;
        return zc__expect(ps, close);
    }
    switch (ps->tok.kind) {
    case TOK_INT: def->literal = ZC__SCHEMA_LIT_INT; break;
    case TOK_FLOAT: def->literal = ZC__SCHEMA_LIT_FLOAT; break;
    case TOK_IDENT: def->literal = zc__is_word(ps, "null") ? ZC__SCHEMA_LIT_NULL : ZC__SCHEMA_LIT_NAME; break;
    case TOK_STRING: {
        def->literal = ZC__SCHEMA_LIT_STRING;
        size_t n;
        if ((r = zc__string_text(ps, &def->text, &n)) != ZC_OK) return r;
        return zc__next(ps);
    }
    default: return zc__syntax(ps, "a default value");
    }
    def->text = zc__dup(ps, ps->tok.start, ps->tok.length);
    if (!def->text) return ps->oom;
    return zc__next(ps);
}

/* ---------------------------------------------------------------------------------
 * Declarations
 * ------------------------------------------------------------------------------- */

static zc_schema_decl *zc__new_decl(zc__parser *ps, zc_schema_decl_kind kind) {
    zc_schema *s = ps->schema;
    zc_schema_decl *d = (zc_schema_decl *)zc__schema_push(&s->decls, &s->decl_count, sizeof *d);
    if (!d) ps->oom = ZC_ERR_OUT_OF_MEMORY;
    else d->kind = kind;
    return d;
}

/* field := name ':' ['?'] type ['=' literal] ';' */
static zc_result zc__parse_field(zc__parser *ps, uint32_t decl) {
    zc_schema_decl *d = &ps->schema->decls[decl];
    zc_schema_field *f = (zc_schema_field *)zc__schema_push(&d->fields, &d->count, sizeof *f);
    if (!f) return ps->oom = ZC_ERR_OUT_OF_MEMORY;
    uint32_t index = d->count - 1;
    char *name = NULL;
    uint32_t line, column, type;
    zc_result r = zc__name(ps, "a field name", &name, &line, &column);
    f->name = name;
    if (r != ZC_OK) return r;
    f->line = line;
    f->column = column;
    if ((r = zc__expect(ps, ':')) != ZC_OK) return r;
    int optional = 0;
    if (zc__is_punct(ps, '?')) {
        optional = 1;
        if ((r = zc__next(ps)) != ZC_OK) return r;
    }
    if ((r = zc__parse_type(ps, 0, &type)) != ZC_OK) return r;
    f = &ps->schema->decls[decl].fields[index];
    f->type = type;
    f->optional = optional;
    if (zc__is_punct(ps, '=')) {
        if ((r = zc__next(ps)) != ZC_OK) return r;
        if ((r = zc__parse_default(ps, &f->def)) != ZC_OK) return r;
    }
    return zc__expect(ps, ';');
}

/* struct Name { fields }  and  inline Name { fields }: the same syntax; the resolve
 * pass holds an inline struct's fields to its rules. */
static zc_result zc__parse_struct(zc__parser *ps, zc_schema_decl_kind kind) {
    zc_schema_decl *d = zc__new_decl(ps, kind);
    if (!d) return ps->oom;
    uint32_t decl = ps->schema->decl_count - 1;
    zc_result r = zc__name(ps, kind == ZC_SCHEMA_DECL_INLINE ? "an inline struct name" : "a struct name", &d->name,
                           &d->line, &d->column);
    if (r != ZC_OK || (r = zc__expect(ps, '{')) != ZC_OK) return r;
    while (!zc__is_punct(ps, '}'))
        if ((r = zc__parse_field(ps, decl)) != ZC_OK) return r;
    return zc__next(ps);
}

/* value := name ['=' integer] */
static zc_result zc__parse_enum_value(zc__parser *ps, zc_schema_decl *d, uint64_t next) {
    uint32_t count = d->count, line, column;
    char **names = (char **)realloc(d->names, (count + 1) * sizeof *names);
    if (names) d->names = names;
    uint64_t *values = (uint64_t *)realloc(d->values, (count + 1) * sizeof *values);
    if (values) d->values = values;
    if (!names || !values) return ps->oom = ZC_ERR_OUT_OF_MEMORY;
    d->names[count] = NULL;
    d->count++;
    zc_result r = zc__name(ps, "an enum value name", &d->names[count], &line, &column);
    if (r != ZC_OK) return r;
    d->values[count] = next;
    if (!zc__is_punct(ps, '=')) return ZC_OK;
    if ((r = zc__next(ps)) != ZC_OK) return r;
    if (ps->tok.kind != TOK_INT || ps->tok.start[0] == '-') return zc__syntax(ps, "a non-negative integer");
    char *end;
    d->values[count] = strtoull(ps->tok.start, &end, 0);
    if (end != ps->tok.start + ps->tok.length || d->values[count] > UINT32_MAX)
        return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column, "enum value out of range");
    return zc__next(ps);
}

/* enum Name : u8|u16|u32 { a, b = 4, c } */
static zc_result zc__parse_enum(zc__parser *ps) {
    zc_schema_decl *d = zc__new_decl(ps, ZC_SCHEMA_DECL_ENUM);
    if (!d) return ps->oom;
    uint32_t decl = ps->schema->decl_count - 1;
    zc_result r = zc__name(ps, "an enum name", &d->name, &d->line, &d->column);
    if (r != ZC_OK || (r = zc__expect(ps, ':')) != ZC_OK) return r;
    d = &ps->schema->decls[decl];
    d->underlying = zc__scalar_kind(ps);
    if (d->underlying != ZC_SCHEMA_U8 && d->underlying != ZC_SCHEMA_U16 && d->underlying != ZC_SCHEMA_U32)
        return zc__syntax(ps, "an enum's type (u8, u16 or u32)");
    if ((r = zc__next(ps)) != ZC_OK || (r = zc__expect(ps, '{')) != ZC_OK) return r;
    uint64_t next = 0;
    while (!zc__is_punct(ps, '}')) {
        if ((r = zc__parse_enum_value(ps, d, next)) != ZC_OK) return r;
        next = d->values[d->count - 1] + 1;
        if (!zc__is_punct(ps, ',')) break;
        if ((r = zc__next(ps)) != ZC_OK) return r;
    }
    return zc__expect(ps, '}');
}

/* union Name { A, B } */
static zc_result zc__parse_union(zc__parser *ps) {
    zc_schema_decl *d = zc__new_decl(ps, ZC_SCHEMA_DECL_UNION);
    if (!d) return ps->oom;
    uint32_t decl = ps->schema->decl_count - 1;
    zc_result r = zc__name(ps, "a union name", &d->name, &d->line, &d->column);
    if (r != ZC_OK || (r = zc__expect(ps, '{')) != ZC_OK) return r;
    while (!zc__is_punct(ps, '}')) {
        d = &ps->schema->decls[decl];
        uint32_t *member = (uint32_t *)zc__schema_push(&d->members, &d->count, sizeof *member);
        if (!member) return ps->oom = ZC_ERR_OUT_OF_MEMORY;
        /* the member's type, resolved to a struct by the resolve pass */
        if ((r = zc__parse_type(ps, 0, member)) != ZC_OK) return r;
        if (!zc__is_punct(ps, ',')) break;
        if ((r = zc__next(ps)) != ZC_OK) return r;
    }
    return zc__expect(ps, '}');
}

/* root Name;  and  type_tag "ABCD"; */
static zc_result zc__parse_root(zc__parser *ps, uint32_t *root_type) {
    zc_result r = zc__parse_type(ps, 0, root_type);
    if (r != ZC_OK) return r;
    return zc__expect(ps, ';');
}

static zc_result zc__parse_tag(zc__parser *ps) {
    if (ps->tok.kind != TOK_STRING) return zc__syntax(ps, "a quoted four-character tag");
    if (ps->tok.length != 4)
        return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column, "a type tag has 4 characters");
    const char *t = ps->tok.start;
    for (int i = 0; i < 4; ++i)
        if (t[i] < 0x21 || t[i] > 0x7e || t[i] == '\\' || t[i] == '"')
            return zc__schema_error(ps->diag, ps->file, ps->tok.line, ps->tok.column,
                                    "a type tag is 4 printable ASCII characters");
    ps->schema->type_tag = ZC_FOURCC(t[0], t[1], t[2], t[3]);
    zc_result r = zc__next(ps);
    return r != ZC_OK ? r : zc__expect(ps, ';');
}

static zc_result zc__parse_items(zc__parser *ps, uint32_t *root_type, int *has_root) {
    zc_result r = zc__next(ps);
    while (r == ZC_OK && ps->tok.kind != TOK_END) {
        uint32_t line = ps->tok.line, column = ps->tok.column;
        int is_root = zc__is_word(ps, "root"), is_tag = zc__is_word(ps, "type_tag");
        int is_enum = zc__is_word(ps, "enum"), is_struct = zc__is_word(ps, "struct");
        int is_union = zc__is_word(ps, "union"), is_inline = zc__is_word(ps, "inline");
        if (!is_root && !is_tag && !is_enum && !is_struct && !is_union && !is_inline)
            return zc__syntax(ps, "enum, struct, inline, union, root or type_tag");
        if ((r = zc__next(ps)) != ZC_OK) return r;
        if ((is_root && *has_root) || (is_tag && ps->schema->type_tag))
            return zc__schema_error(ps->diag, ps->file, line, column, "%s declared twice", is_root ? "root" : "type_tag");
        if (is_root) *has_root = 1;
        r = is_root ? zc__parse_root(ps, root_type) : is_tag ? zc__parse_tag(ps)
            : is_enum ? zc__parse_enum(ps) : is_struct ? zc__parse_struct(ps, ZC_SCHEMA_DECL_STRUCT)
            : is_inline ? zc__parse_struct(ps, ZC_SCHEMA_DECL_INLINE) : zc__parse_union(ps);
    }
    return r;
}

/* ---------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------- */

zc_result zc_schema_parse(const char *file, const char *text, size_t length, zc_schema **out, zc_diag *diag) {
    *out = NULL;
    zc_schema *s = (zc_schema *)calloc(1, sizeof *s);
    if (!s || !(s->file = strdup(file))) {
        free(s);
        return ZC_ERR_OUT_OF_MEMORY;
    }
    zc__parser ps = { file, text, text + length, 1, text, { TOK_END, text, 0, 0, 1, 1 }, s, diag, ZC_OK };
    uint32_t root_type = 0;
    int has_root = 0;
    zc_result r = zc__parse_items(&ps, &root_type, &has_root);
    if (ps.oom != ZC_OK) r = ps.oom;
    if (r == ZC_OK && !has_root) r = zc__schema_error(diag, file, ps.line, 1, "no `root Name;` declaration");
    if (r == ZC_OK && !s->type_tag) r = zc__schema_error(diag, file, ps.line, 1, "no `type_tag \"ABCD\";` declaration");
    if (r == ZC_OK) {
        s->root = root_type; /* a type index until the resolve pass makes it a decl */
        r = zc__schema_resolve(s, diag);
    }
    if (r == ZC_OK) r = zc__schema_layout(s, diag);
    if (r != ZC_OK) {
        zc_schema_free(s);
        return r;
    }
    *out = s;
    return ZC_OK;
}

zc_result zc_schema_load(const char *path, zc_schema **out, zc_diag *diag) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return zc_fail(diag, ZC_ERR_IO, "%s: cannot open", path);
    char *text = NULL;
    size_t size = 0, cap = 0;
    zc_result r = ZC_OK;
    for (;;) {
        if (cap - size < 4096) {
            char *grown = cap > (64u << 20) ? NULL : (char *)realloc(text, cap ? cap * 2 : 8192);
            if (!grown) {
                r = cap > (64u << 20) ? zc_fail(diag, ZC_ERR_LIMIT, "%s: larger than 64 MiB", path) : ZC_ERR_OUT_OF_MEMORY;
                break;
            }
            text = grown;
            cap = cap ? cap * 2 : 8192;
        }
        size_t n = fread(text + size, 1, cap - size, f);
        size += n;
        if (n == 0) {
            if (ferror(f)) r = zc_fail(diag, ZC_ERR_IO, "%s: cannot read", path);
            break;
        }
    }
    fclose(f);
    if (r == ZC_OK) r = zc_schema_parse(path, text, size, out, diag);
    free(text);
    return r;
}

static void zc__free_decl(zc_schema_decl *d) {
    free(d->name);
    for (uint32_t i = 0; d->kind == ZC_SCHEMA_DECL_ENUM && i < d->count; ++i) free(d->names[i]);
    for (uint32_t i = 0; (d->kind == ZC_SCHEMA_DECL_STRUCT || d->kind == ZC_SCHEMA_DECL_INLINE) && i < d->count; ++i) {
        free(d->fields[i].name);
        free(d->fields[i].def.s);
        free(d->fields[i].def.text);
    }
    free(d->names);
    free(d->values);
    free(d->fields);
    free(d->members);
}

void zc_schema_free(zc_schema *schema) {
    if (!schema) return;
    for (uint32_t i = 0; i < schema->decl_count; ++i) zc__free_decl(&schema->decls[i]);
    for (uint32_t i = 0; i < schema->type_count; ++i) free(schema->types[i].ref_name);
    free(schema->decls);
    free(schema->types);
    free(schema->file);
    free(schema->layout_desc);
    free(schema->schema_desc);
    free(schema);
}
