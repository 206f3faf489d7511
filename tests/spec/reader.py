#!/usr/bin/env python3
"""Independent reader of a wh table, written only from SPEC.md.

Written on 2026-12-06 by a reviewer who saw SPEC.md and the bytes of a small warehouse
(tests/data/golden/manifest_base), never wh's code; kept as it was written, as a check that
SPEC.md says enough (tests/spec/spec_reader_test.sh). Usage: reader.py WAREHOUSE TABLE.

Standard library only. XXH64 is implemented below and every checksum the spec
defines is verified (marker, head, manifest header/records, segment trailer,
footer, blocks, and the manifest's footer XXH64 vs the trailer's).
zstd (compression 1) was not implemented at first (such a block was refused); since 2026-12-09
a zstd decoder written from RFC 8878 (frames, raw/RLE/compressed blocks, Huffman literals, FSE
sequences) reads compressed blocks, checking the frame's content size against the raw size.

Extended on 2026-12-07, again from SPEC.md alone, for schema changes (manifest record type 5,
SPEC "Schema changes"): each change is validated, the live entries' zone maps are converted to
the new storage columns, and a file written under an older schema is read by column name
(missing columns NULL, narrower types widened; its block zone maps converted the same way).

Extended on 2026-12-08, again from SPEC.md alone, for segment files of version 4 (SPEC "Block
frame"): the block encodings 4 LENGTHS (STRING) and 5 FOR_PATCHED (integer-like types: a
FOR_BITPACK payload, then exception rows and their values), refused in files of versions 1-3.

Extended on 2026-12-09, again from SPEC.md alone, for segment files of version 5 (SPEC "Footer",
"Parts", "Older versions", "Segment zone maps"): the bucket index is varint slices, one per part
with rows in the row group, and each part names its first row group and row group count, so a
row group can be shared by parts. An entry's rows are its part's slices; a shared row group is
decoded once per file (logged as "row group shared by parts"), and the entry's segment zone maps
merge, for a shared row group, the zone map of the part's slice computed from its values.

Extended again from SPEC.md alone for manifest record type 8 (SPEC "Compressed records (type
8)"): a u8 inner type (2 to 7) and one zstd frame with its content size, decoded with the zstd
decoder below and read as a record of the inner type (logged as "compressed record"); an inner
type outside 2 to 7, a frame without content size (or over 2^28), bytes after the frame, or a
frame not decoding to exactly its content size is corruption.
"""
import datetime
import os, sys, struct, datetime

WH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "warehouse")
TABLE = sys.argv[2] if len(sys.argv) > 2 else "ev"

# ---------------------------------------------------------------- XXH64
M64 = (1 << 64) - 1
P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)
def _rotl(x, r): return ((x << r) | (x >> (64 - r))) & M64
def _round(acc, lane): return (_rotl((acc + lane * P2) & M64, 31) * P1) & M64
def _merge(acc, v): return ((acc ^ _round(0, v)) * P1 + P4) & M64
def xxh64(data, seed=0):
    n = len(data); i = 0
    if n >= 32:
        v1 = (seed + P1 + P2) & M64; v2 = (seed + P2) & M64; v3 = seed & M64; v4 = (seed - P1) & M64
        while i + 32 <= n:
            a, b, c, d = struct.unpack_from("<4Q", data, i)
            v1 = _round(v1, a); v2 = _round(v2, b); v3 = _round(v3, c); v4 = _round(v4, d); i += 32
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & M64
        for v in (v1, v2, v3, v4): h = _merge(h, v)
    else:
        h = (seed + P5) & M64
    h = (h + n) & M64
    while i + 8 <= n:
        h ^= _round(0, struct.unpack_from("<Q", data, i)[0]); h = (_rotl(h, 27) * P1 + P4) & M64; i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", data, i)[0] * P1) & M64; h = (_rotl(h, 23) * P2 + P3) & M64; i += 4
    while i < n:
        h ^= (data[i] * P5) & M64; h = (_rotl(h, 11) * P1) & M64; i += 1
    h ^= h >> 33; h = (h * P2) & M64; h ^= h >> 29; h = (h * P3) & M64; h ^= h >> 32
    return h
assert xxh64(b"") == 0xef46db3751d8e999
assert xxh64(bytes.fromhex("75 31 32 33 34 35 36")) == 0x4b6bd2a442e0c094

# ---------------------------------------------------------------- helpers
class Corrupt(Exception): pass
def need(cond, msg):
    if not cond: raise Corrupt(msg)

class Buf:
    def __init__(self, data, pos=0, end=None):
        self.d = data; self.p = pos; self.end = len(data) if end is None else end
    def take(self, n):
        need(n >= 0 and self.p + n <= self.end, "read past end at %d (+%d, end %d)" % (self.p, n, self.end))
        b = self.d[self.p:self.p + n]; self.p += n; return b
    def _u(self, fmt, n): return struct.unpack("<" + fmt, self.take(n))[0]
    def u8(self): return self._u("B", 1)
    def u16(self): return self._u("H", 2)
    def u32(self): return self._u("I", 4)
    def i32(self): return self._u("i", 4)
    def u64(self): return self._u("Q", 8)
    def i64(self): return self._u("q", 8)
    def f64(self): return self._u("d", 8)
    def i128(self): return int.from_bytes(self.take(16), "little", signed=True)
    def string(self): return self.take(self.u32()).decode("utf-8")
    def varint(self):
        v = 0; shift = 0
        for k in range(10):
            b = self.u8()
            v |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                need(not (k > 0 and b == 0), "varint not in shortest form")
                need(v < (1 << 64), "varint past 64 bits")
                return v
        raise Corrupt("varint longer than 10 bytes")
    def done(self): return self.p == self.end

EPOCH = datetime.datetime(1970, 1, 1)
def ts_str(us): return (EPOCH + datetime.timedelta(microseconds=us)).isoformat(sep=" ")
def date_str(d): return (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()
TYPES = {1: "BOOLEAN", 2: "INT", 3: "BIGINT", 4: "DOUBLE", 5: "DECIMAL", 6: "STRING", 7: "DATE", 8: "TIMESTAMP"}

def width(t, p):
    if t == 1: return 1
    if t in (2, 7): return 4
    if t in (3, 4, 8): return 8
    if t == 5: return 8 if p <= 18 else 16
    return None  # STRING
def integer_like(t): return t not in (4, 6)

def fmt_val(v, t, p=0, s=0):
    if v is None: return "NULL"
    if t == 7: return date_str(v)
    if t == 8:  # as wh prints it (DuckDB's text): the fraction without trailing zeros
        text = ts_str(v)
        return text.rstrip("0").rstrip(".") if "." in text else text
    if t == 1: return "true" if v else "false"
    if t == 6: return v
    if t == 5 and s:
        sign = "-" if v < 0 else ""; a = abs(v); return "%s%d.%0*d" % (sign, a // 10 ** s, s, a % 10 ** s)
    return repr(v) if t == 4 else str(v)

# ---------------------------------------------------------------- zone map
def read_zone_map(b, t, p):
    flags = b.u8(); need(flags & ~1 == 0, "zone map flag bits 1-7 set")
    nulls = b.u64(); mn = mx = None
    if flags & 1:
        if t == 6: mn, mx = b.string(), b.string()
        elif t == 4: mn, mx = b.f64(), b.f64()
        elif t == 5 and p > 18: mn, mx = b.i128(), b.i128()
        else: mn, mx = b.i64(), b.i64()
    return {"has": bool(flags & 1), "nulls": nulls, "min": mn, "max": mx}

def zm_str(z, t, p=0, s=0):
    if not z["has"]: return "nulls=%d (no min/max)" % z["nulls"]
    return "nulls=%d min=%s max=%s" % (z["nulls"], fmt_val(z["min"], t, p, s), fmt_val(z["max"], t, p, s))

def merge_zone_maps(zms, rows_per):
    """Segment zone map rule of SPEC 'Zone map'."""
    nulls = sum(z["nulls"] for z in zms)
    has = any(z["has"] for z in zms)
    for z, r in zip(zms, rows_per):
        if not z["has"] and z["nulls"] < r: has = False
    mn = mx = None
    if has:
        for z in zms:
            if not z["has"]: continue
            if mn is None or z["min"] < mn: mn = z["min"]
            if mx is None or z["max"] > mx: mx = z["max"]
    return {"has": has, "nulls": nulls, "min": mn, "max": mx}

# ---------------------------------------------------------------- schema changes
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
def lname(name): return name.translate(_ASCII_LOWER)   # names match ignoring ASCII case only

def type_str(c):
    return "DECIMAL(%d,%d)" % (c["prec"], c["scale"]) if c["type"] == 5 else TYPES[c["type"]]

def widens(f, t):
    """SPEC 'Schema changes': every value of type f is exactly a value of type t."""
    ft, tt = f["type"], t["type"]
    if ft == tt and ft != 5: return True
    if ft == 2 and tt in (3, 4): return True                                   # INT -> BIGINT, DOUBLE
    if ft == 2 and tt == 5: return t["prec"] - t["scale"] >= 10               # INT -> DECIMAL
    if ft == 3 and tt == 5: return t["prec"] - t["scale"] >= 19               # BIGINT -> DECIMAL
    if ft == 5 and tt == 5:                                                    # DECIMAL -> DECIMAL (also itself)
        return t["scale"] >= f["scale"] and t["prec"] - t["scale"] >= f["prec"] - f["scale"]
    if ft == 7 and tt == 8: return True                                        # DATE -> TIMESTAMP
    return False

def convert(v, f, t):
    """A non-NULL value stored as type f, read as the wider type t (SPEC 'Schema changes')."""
    if v is None: return None
    ft, tt = f["type"], t["type"]
    if tt == 4 and ft == 2: return float(v)
    if tt == 5 and ft == 2 or tt == 5 and ft == 3: return v * 10 ** t["scale"]
    if tt == 5 and ft == 5: return v * 10 ** (t["scale"] - f["scale"])
    if tt == 8 and ft == 7: return v * 86400000000
    return v

def convert_zm(z, f, t):
    """A zone map of type f read as type t: min and max converted (the conversions keep order)."""
    if not z["has"]: return dict(z)
    return {"has": True, "nulls": z["nulls"], "min": convert(z["min"], f, t), "max": convert(z["max"], f, t)}

def pexpr_columns(e):
    if e[0] == "COLUMN": return {e[1]}
    if e[0] in ("FROM_EPOCH", "DATE_TRUNC"): return pexpr_columns(e[2])
    out = set()
    for a in e[1:]: out |= pexpr_columns(a)
    return out

def check_schema_change(old, new):
    """SPEC 'Schema changes': what a new schema may differ in; anything else is corruption."""
    need(new["table"] == old["table"], "schema change renames the table %r -> %r" % (old["table"], new["table"]))
    need(new["pcol"] == old["pcol"] and new.get("psql") == old.get("psql") and new.get("pexpr") == old.get("pexpr"),
         "schema change alters the partitioning")
    need(new["bucket_col"] == old["bucket_col"] and new["bucket_count"] == old["bucket_count"], "schema change alters the bucketing")
    oc, nc = old["columns"], new["columns"]
    need(len(nc) >= len(oc), "schema change drops columns (%d -> %d)" % (len(oc), len(nc)))
    keep = pexpr_columns(old["pexpr"]) if old["pcol"] else set()
    for i, (a, b) in enumerate(zip(oc, nc)):
        need(lname(a["name"]) == lname(b["name"]), "schema change renames or moves column %r -> %r" % (a["name"], b["name"]))
        need(a["not_null"] == b["not_null"], "schema change alters the NOT NULL flag of %r" % a["name"])
        need(widens(a, b), "schema change: %s %s does not widen to %s" % (a["name"], type_str(a), type_str(b)))
        if i in keep or (old["bucket_count"] and lname(a["name"]) == lname(old["bucket_col"])):
            need((a["type"], a["prec"], a["scale"]) == (b["type"], b["prec"], b["scale"]),
                 "schema change alters the type of %r, which the partition expression or bucket key reads" % a["name"])
    for b in nc[len(oc):]:
        need(not b["not_null"], "schema change adds NOT NULL column %r" % b["name"])

def describe_schema_change(old, new):
    oc, nc = old["columns"], new["columns"]; parts = []
    for a, b in zip(oc, nc):
        if (a["type"], a["prec"], a["scale"]) != (b["type"], b["prec"], b["scale"]):
            parts.append("%s %s -> %s" % (b["name"], type_str(a), type_str(b)))
        elif a["name"] != b["name"]: parts.append("%s spelled %s" % (a["name"], b["name"]))
    parts += ["ADD %s %s" % (b["name"], type_str(b)) for b in nc[len(oc):]]
    return "; ".join(parts) or "no change"

def convert_entry_zone_maps(zms, rows, old_cols, new_cols):
    """An entry's zone maps by old_cols, read by new_cols (mapped by name, ignoring ASCII case)."""
    by = {lname(c["name"]): (c, z) for c, z in zip(old_cols, zms)}
    out = []
    for c in new_cols:
        if lname(c["name"]) in by:
            oc, z = by[lname(c["name"])]; out.append(convert_zm(z, oc, c))
        else:
            out.append({"has": False, "nulls": rows, "min": None, "max": None})
    return out

# ---------------------------------------------------------------- files
def read_marker(path):
    d = open(path, "rb").read()
    need(len(d) == 24 and d[:8] == b"WHHOUSE\x1a", "bad _warehouse")
    need(struct.unpack_from("<Q", d, 16)[0] == xxh64(d[:16]), "_warehouse checksum")
    return struct.unpack_from("<H", d, 8)[0]

def read_head(path):
    if not os.path.exists(path): return None
    d = open(path, "rb").read()
    need(len(d) == 40 and d[:8] == b"WHHEAD\r\n", "bad _head")
    ver, r1, r2, seq, mlen, ck = struct.unpack_from("<HHIQQQ", d, 8)
    need(ck == xxh64(d[:32]), "_head checksum")
    need(ver <= 1, "_head version %d > 1" % ver)
    return {"version": ver, "seq": seq, "manifest_len": mlen}

def read_file_list(b, cols, in_base):
    files = []
    for _ in range(b.u32()):
        f = {"seq": b.u64() if in_base else None}
        f["path"] = b.string(); f["bytes"] = b.u64(); f["footer_xxh"] = b.u64()
        nparts = b.varint(); need(nparts >= 1, "part count 0")
        f["parts"] = []; prev = None
        for _ in range(nparts):
            hp = b.u8(); need(hp in (0, 1), "has partition")
            day = b.i32(); need(hp == 1 or day == 0, "day of NULL partition != 0")
            key = (hp, day); need(prev is None or key > prev, "parts not strictly increasing"); prev = key
            rows = b.varint(); need(rows >= 1, "part rows 0")
            nb = b.varint(); pairs = []; bucket = -1
            for k in range(nb):
                gap = b.varint(); r = b.varint(); need(r >= 1, "bucket rows 0")
                bucket = gap if k == 0 else bucket + gap + 1
                pairs.append((bucket, r))
            need(sum(r for _, r in pairs) == rows, "bucket rows do not add up to part rows")
            zms = [read_zone_map(b, c["type"], c["prec"]) for c in cols]
            f["parts"].append({"has_partition": hp, "day": day, "rows": rows, "buckets": pairs, "zone_maps": zms})
        files.append(f)
    return files

def read_sources(b):
    return [(b.string(), b.u64(), b.u64()) for _ in range(b.u32())]

def read_manifest(path):
    d = open(path, "rb").read()
    need(len(d) >= 24 and d[:8] == b"WHMAN\r\n\x1a", "bad manifest magic")
    ver, res, feat, ck = struct.unpack_from("<HHIQ", d, 8)
    need(ck == xxh64(d[:16]), "manifest header checksum")
    need(ver <= 1, "manifest version"); need(res == 0, "manifest reserved"); need(feat == 0, "manifest features")
    recs = []; pos = 24; torn = None
    while pos < len(d):
        if pos + 4 > len(d): torn = pos; break
        L = struct.unpack_from("<I", d, pos)[0]
        end = pos + 4 + 1 + L + 8
        if L > (1 << 28) or end > len(d): torn = pos; break      # cut short: torn append
        stored = struct.unpack_from("<Q", d, end - 8)[0]
        if stored == 0 and end == len(d): torn = pos; break     # last 8 bytes zero: torn
        need(stored == xxh64(d[pos:end - 8]), "manifest record at %d: checksum" % pos)
        recs.append((pos, d[pos + 4], d[pos + 5:pos + 5 + L], end)); pos = end
    return d, recs, (torn if torn is not None else len(d))

def parse_schema(payload):
    b = Buf(payload); s = {"table": b.string(), "columns": []}
    for _ in range(b.u32()):
        name = b.string(); t, p, sc, fl = b.u8(), b.u8(), b.u8(), b.u8()
        need(t in TYPES, "type id %d" % t); need(fl & ~1 == 0, "schema flag bits")
        s["columns"].append({"name": name, "type": t, "prec": p, "scale": sc, "not_null": bool(fl & 1)})
    s["pcol"] = b.string()
    if s["pcol"]:
        s["psql"] = b.string()
        def expr(depth):
            need(depth <= 32, "partition expression too deep")
            k = b.u8()
            if k == 1:
                i = b.u32(); need(i < len(s["columns"]) and s["columns"][i]["type"] in (2, 3, 7, 8), "COLUMN index"); return ("COLUMN", i)
            if k in (6, 7):
                unit = b.u8(); need(unit <= (2 if k == 6 else 4), "unit"); need(b.u32() == 1, "arg count")
                return ({6: "FROM_EPOCH", 7: "DATE_TRUNC"}[k], unit, expr(depth + 1))
            need(k in (2, 3, 4, 5), "partition expression kind %d" % k)
            n = b.u32(); need(n == 1 if k == 2 else 1 <= n <= 64, "arg count")
            return ({2: "CAST_DATE", 3: "LEAST", 4: "GREATEST", 5: "COALESCE"}[k],) + tuple(expr(depth + 1) for _ in range(n))
        s["pexpr"] = expr(1)
    s["bucket_col"] = b.string(); s["bucket_count"] = b.u32()
    need(b.done(), "trailing bytes in schema record")
    names = [lname(c["name"]) for c in s["columns"]]
    need(len(set(names)) == len(names), "declared column names not unique ignoring case")
    need("etl_date" not in names, "a declared column named etl_date")
    for c in s["columns"]:
        need((1 <= c["prec"] <= 38 and c["scale"] <= c["prec"]) if c["type"] == 5 else c["prec"] == c["scale"] == 0,
             "precision/scale of column %r" % c["name"])
    need(not s["pcol"] or lname(s["pcol"]) not in names + ["etl_date"], "partition column named as a declared column or etl_date")
    need((s["bucket_count"] == 0) == (s["bucket_col"] == "") and s["bucket_count"] <= 65536, "bucket column/count")
    need(not s["bucket_col"] or lname(s["bucket_col"]) in names, "bucket column is no declared column")
    s["storage"] = s["columns"] + [{"name": "etl_date", "type": 8, "prec": 0, "scale": 0, "not_null": True}]
    return s

def eval_pexpr(e, row, cols):
    """Value in micros (DATE d -> d*86400e6), or None. Final CAST gives a day."""
    k = e[0]
    if k == "COLUMN":
        v = row[e[1]]
        if v is None: return None
        return v * 86400000000 if cols[e[1]]["type"] == 7 else v
    if k == "FROM_EPOCH":
        v = eval_pexpr(e[2], row, cols)
        if v is None: return None
        us = v * (1000000, 1000, 1)[e[1]]
        return us if -62135596800000000 <= us < 253402300800000000 else None
    if k == "DATE_TRUNC":
        v = eval_pexpr(e[2], row, cols)
        if v is None: return None
        day = v // 86400000000
        if e[1] == 1: day -= (day + 3) % 7  # back to Monday
        elif e[1] >= 2:
            dt = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
            m = dt.month if e[1] == 2 else (dt.month - 1) // 3 * 3 + 1 if e[1] == 3 else 1
            day = (datetime.date(dt.year, m, 1) - datetime.date(1970, 1, 1)).days
        return day * 86400000000
    args = [eval_pexpr(a, row, cols) for a in e[1:]]
    if k == "CAST_DATE": return None if args[0] is None else (args[0] // 86400000000) * 86400000000
    nn = [a for a in args if a is not None]
    if k == "LEAST": return min(nn) if nn else None
    if k == "GREATEST": return max(nn) if nn else None
    return nn[0] if nn else None  # COALESCE (first non-NULL in argument order)

def read_compressed_record(pos, payload):
    """SPEC "Compressed records (type 8)": u8 inner type (2 to 7), then one zstd frame whose header
    records its content size (at most 2^28), ending where the payload ends and decoding to exactly
    that size: the payload of a record of the inner type. Anything else is corruption."""
    where = "manifest record at %d: compressed record" % pos
    need(len(payload) >= 1, "%s without its inner type" % where)
    inner = payload[0]
    need(inner != 1, "%s of a schema record" % where)
    need(inner != 8, "%s in a compressed record" % where)
    need(2 <= inner <= 7, "%s of inner type %d" % (where, inner))
    fr = payload[1:]
    try:
        # the frame header's content size, checked before decoding (RFC 8878 3.1.1.1)
        need(len(fr) >= 5 and struct.unpack_from("<I", fr, 0)[0] == 0xFD2FB528, "%s: no zstd frame" % where)
        fhd = fr[4]; fcs_flag, single, did_flag = fhd >> 6, fhd >> 5 & 1, fhd & 3
        fcs_size = (1 if single else 0, 2, 4, 8)[fcs_flag]
        need(fcs_size > 0, "%s: its zstd frame records no content size" % where)
        at = 5 + (0 if single else 1) + (0, 1, 2, 4)[did_flag]
        need(at + fcs_size <= len(fr), "%s: truncated zstd frame header" % where)
        fcs = int.from_bytes(fr[at:at + fcs_size], "little") + (256 if fcs_size == 2 else 0)
        need(fcs <= 1 << 28, "%s: content size %d past 2^28" % (where, fcs))
        out = zstd_decompress(fr, one_frame=True)
    except Corrupt as ex:
        raise Corrupt("%s: %s" % (where, ex) if not str(ex).startswith(where) else str(ex))
    except (IndexError, struct.error, ValueError) as ex:
        raise Corrupt("%s: truncated or malformed zstd frame (%s)" % (where, ex))
    need(len(out) == fcs, "%s: frame decodes to %d bytes, its content size is %d" % (where, len(out), fcs))
    return inner, out

def load_state(tdir):
    head = read_head(os.path.join(tdir, "_head"))
    d, recs, valid_len = read_manifest(os.path.join(tdir, "_manifest"))
    if recs and recs[0][1] == 8: read_compressed_record(recs[0][0], recs[0][2])   # a compressed schema: refused
    need(recs and recs[0][1] == 1, "first record is not the schema")
    schema = parse_schema(recs[0][2]); cols = schema["storage"]
    # schemas[k]: the schema in force after the k-th schema change (0: the schema record). A live
    # entry keeps the index of the schema its commit record was read under ("wschema"; None for a
    # base record's entries: the base does not say which of its commits were schema changes).
    schemas = [schema]
    commits, live, retired = [], [], []
    last = 0; rec_log = []
    for idx, (pos, typ, payload, end) in enumerate(recs[1:], 1):
        stored_len = len(payload)
        if typ == 8:
            # Compressed record: read as its inner record in every respect (SPEC "Manifest").
            typ, payload = read_compressed_record(pos, payload)
        b = Buf(payload)
        if typ in (4, 7):
            # Type 7: each commit of the history ends with its kind.
            need(idx == 1, "base record not right after schema")
            s = b.u64(); need(s >= 1, "base s"); n = b.u32(); need(n == s, "base commit count != s")
            for i in range(n):
                c = {"seq": b.u64(), "etl": b.i64(), "time": b.i64(), "sources": read_sources(b), "kind": "base",
                     "added": None, "removed": None, "replaced": None}
                if typ == 7:
                    k = b.u8(); need(k <= 4, "commit kind %d" % k)
                    c["kind"] = ["base", "ingest", "compaction", "schema change", "overwrite"][k]
                need(c["seq"] == i + 1, "base commit seq order"); commits.append(c)
            for f in read_file_list(b, cols, True):
                need(f["seq"] <= s, "base file seq > s")
                for p in f["parts"]: live.append(dict(p, path=f["path"], bytes=f["bytes"], footer_xxh=f["footer_xxh"], seq=f["seq"], wschema=None))
            retired += [b.string() for _ in range(b.u32())]
            need(b.done(), "trailing bytes in base record"); last = s
            rec_log.append("@%d type %d base, L=%d: state as of commit %d%s" % (pos, typ, len(payload), s,
                           "" if typ == 4 else ", kinds %s" % [c["kind"] for c in commits]))
        elif typ in (2, 3, 6):
            seq = b.u64(); need(seq == last + 1, "commit seq %d after %d" % (seq, last))
            etl, ctime = b.i64(), b.i64()
            if typ in (3, 6):
                added = read_file_list(b, cols, False)
            else:
                added = []
                for _ in range(b.u32()):
                    path = b.string(); hp = b.u8(); day = b.i32(); rows = b.u64(); fb = b.u64(); fx = b.u64()
                    pairs = [(b.u32(), b.u64()) for _ in range(b.u32())]
                    nz = b.u32(); need(nz == len(cols), "zone map count")
                    zms = [read_zone_map(b, c["type"], c["prec"]) for c in cols]
                    added.append({"path": path, "bytes": fb, "footer_xxh": fx,
                                  "parts": [{"has_partition": hp, "day": day, "rows": rows, "buckets": pairs, "zone_maps": zms}]})
            removed = [b.string() for _ in range(b.u32())]
            sources = read_sources(b)
            replaced = None
            if typ == 6:
                # Overwrite: the partitions it replaces, strictly increasing, NULL first.
                replaced = []
                nrep = b.u32(); need(nrep >= 1, "an overwrite replacing no partition")
                for _ in range(nrep):
                    hp = b.u8(); day = b.i32(); need(hp in (0, 1) and (hp or day == 0), "replaced partition")
                    key = (hp, day)
                    need(not replaced or replaced[-1] < key, "replaced partitions out of order"); replaced.append(key)
                # It removes exactly the live files holding a replaced partition; its added parts
                # outside them are rows carried over.
                holding = {e["path"] for e in live if (e["has_partition"], e["day"]) in replaced}
                need(set(removed) == holding, "overwrite removes %s, the files holding its partitions are %s" % (sorted(removed), sorted(holding)))
            need(b.done(), "trailing bytes in commit record")
            live_paths = {e["path"] for e in live}
            for r in removed: need(r in live_paths, "removed path %s not live" % r)
            live = [e for e in live if e["path"] not in removed]; retired += removed
            for f in added:
                for p in f["parts"]: live.append(dict(p, path=f["path"], bytes=f["bytes"], footer_xxh=f["footer_xxh"], seq=seq,
                                                      wschema=len(schemas) - 1))
            commits.append({"seq": seq, "etl": etl, "time": ctime, "sources": sources,
                            "kind": "overwrite" if typ == 6 else "compaction" if removed else "ingest",
                            "added": [f["path"] for f in added], "removed": removed, "replaced": replaced})
            last = seq
            rec_log.append("@%d type %d commit, L=%d: seq %d%s" % (pos, typ, len(payload), seq,
                           "" if replaced is None else ", replaces %s" % ["NULL" if not hp else date_str(d) for hp, d in replaced]))
        elif typ == 5:
            # Schema change: u64 seq, i64 etl_date, i64 commit time, then the whole new schema.
            seq = b.u64(); need(seq == last + 1, "schema change seq %d after %d" % (seq, last))
            etl, ctime = b.i64(), b.i64()
            new = parse_schema(payload[b.p:])
            check_schema_change(schema, new)
            for e in live:   # the entries read so far, converted to the new storage columns
                e["zone_maps"] = convert_entry_zone_maps(e["zone_maps"], e["rows"], cols, new["storage"])
            what = describe_schema_change(schema, new)
            schema = new; cols = schema["storage"]; schemas.append(schema)
            commits.append({"seq": seq, "etl": etl, "time": ctime, "sources": [], "kind": "schema change",
                            "added": None, "removed": [], "change": what})
            last = seq
            rec_log.append("@%d type 5 schema change, L=%d: seq %d: %s" % (pos, len(payload), seq, what))
        elif typ == 1:
            raise Corrupt("second schema record")
        else:
            raise Corrupt("unsupported record type %d" % typ)
        if recs[idx][1] == 8:
            rec_log[-1] += " [compressed record: type 8 of inner type %d, payload %d bytes stored, %d decoded]" % (
                typ, stored_len, len(payload))
    if head is not None:
        need(head["seq"] <= last and head["manifest_len"] <= valid_len, "_head names more than the manifest holds")
    return {"head": head, "manifest_len": len(d), "valid_len": valid_len, "records": rec_log, "schema": schema, "schemas": schemas,
            "commits": commits, "live": live, "retired": retired, "last": last,
            "confirmed": head is not None and head["seq"] == last and head["manifest_len"] == valid_len}

# ---------------------------------------------------------------- zstd (RFC 8878), decompression only
def _hb(x): return x.bit_length() - 1          # highest set bit

class _BackBits:
    """A bitstream read backward (RFC 8878 4.1): starts after the last byte's
    highest set bit; bits past the start read as 0 (callers check for overflow)."""
    def __init__(self, data):
        need(len(data) >= 1 and data[-1] != 0, "zstd: backward bitstream without its end mark")
        self.v = int.from_bytes(data, "little"); self.pos = (len(data) - 1) * 8 + _hb(data[-1])
    def read(self, n):
        if n == 0: return 0
        self.pos -= n
        if self.pos >= 0: return (self.v >> self.pos) & ((1 << n) - 1)
        return (self.v << -self.pos) & ((1 << n) - 1)
    def peek(self, n):
        p = self.pos - n
        return (self.v >> p) & ((1 << n) - 1) if p >= 0 else (self.v << -p) & ((1 << n) - 1)

def _fse_read_ncount(data, pos, max_sym, max_log):
    """FSE table description (RFC 8878 4.1.1): returns (probabilities, accuracy log, new pos)."""
    bits = int.from_bytes(data[pos:pos + 512], "little"); bp = 0   # descriptions are short
    def get(n):
        return (bits >> bp) & ((1 << n) - 1)
    al = get(4) + 5; bp += 4
    need(al <= max_log, "zstd: FSE accuracy log %d > %d" % (al, max_log))
    remaining = (1 << al) + 1; threshold = 1 << al; nb = al + 1; probs = []; prev0 = False
    while remaining > 1 and len(probs) <= max_sym:
        if prev0:
            while True:
                r = get(2); bp += 2; probs += [0] * r
                if r != 3: break
            need(len(probs) <= max_sym, "zstd: FSE zero run past the last symbol")
        mx = (2 * threshold - 1) - remaining
        low = get(nb - 1)
        if low < mx: count = low; bp += nb - 1
        else:
            count = get(nb)
            if count >= threshold: count -= mx
            bp += nb
        count -= 1
        remaining -= -count if count < 0 else count
        probs.append(count); prev0 = count == 0
        while remaining < threshold: nb -= 1; threshold >>= 1
    need(remaining == 1 and len(probs) <= max_sym + 1, "zstd: bad FSE table description")
    used = (bp + 7) // 8
    need(pos + used <= len(data), "zstd: FSE table description past its end")
    return probs, al, pos + used

def _fse_table(probs, al):
    """Decoding table: per state (symbol, number of bits, baseline)."""
    size = 1 << al; sym = [0] * size; high = size - 1; nxt = [0] * len(probs)
    for s, p in enumerate(probs):
        if p == -1: sym[high] = s; high -= 1; nxt[s] = 1
        else: nxt[s] = p
    pos = 0; step = (size >> 1) + (size >> 3) + 3; mask = size - 1
    for s, p in enumerate(probs):
        for _ in range(max(p, 0)):
            sym[pos] = s; pos = (pos + step) & mask
            while pos > high: pos = (pos + step) & mask
    need(pos == 0, "zstd: FSE table not filled")
    tab = []
    for u in range(size):
        s = sym[u]; ns = nxt[s]; nxt[s] += 1
        nb = al - _hb(ns); tab.append((s, nb, (ns << nb) - size))
    return tab

def _huf_weights(data, pos):
    hb = data[pos]; pos += 1
    if hb >= 128:
        n = hb - 127; nbytes = (n + 1) // 2; need(pos + nbytes <= len(data), "zstd: Huffman weights past the end")
        w = []
        for i in range(n):
            byte = data[pos + i // 2]; w.append(byte >> 4 if i % 2 == 0 else byte & 15)
        return w, pos + nbytes
    need(hb > 0 and pos + hb <= len(data), "zstd: Huffman FSE weights size")
    end = pos + hb
    probs, al, p2 = _fse_read_ncount(data[:end], pos, 255, 6)
    tab = _fse_table(probs, al); br = _BackBits(data[p2:end])
    s1 = br.read(al); s2 = br.read(al); w = []
    while True:
        need(len(w) < 255, "zstd: too many Huffman weights")
        sy, nb, base = tab[s1]; w.append(sy); s1 = base + br.read(nb)
        if br.pos < 0: w.append(tab[s2][0]); break
        need(len(w) < 255, "zstd: too many Huffman weights")
        sy, nb, base = tab[s2]; w.append(sy); s2 = base + br.read(nb)
        if br.pos < 0: w.append(tab[s1][0]); break
    return w, end

def _huf_table(w):
    """Huffman decoding table from weights (the last symbol's weight implied)."""
    need(all(x <= 12 for x in w), "zstd: Huffman weight > 12")
    total = sum((1 << x) >> 1 for x in w); need(total > 0, "zstd: Huffman weights all 0")
    maxb = _hb(total) + 1; left = (1 << maxb) - total
    need(left & (left - 1) == 0 and left > 0, "zstd: Huffman weights do not complete a tree")
    w = w + [_hb(left) + 1]; need(maxb <= 11, "zstd: Huffman code longer than 11 bits")
    table = [None] * (1 << maxb); start = [0] * (maxb + 2); acc = 0
    for x in range(1, maxb + 1):
        start[x] = acc; acc += sum(1 for y in w if y == x) << (x - 1)
    for s, x in enumerate(w):
        if x == 0: continue
        ln = (1 << x) >> 1
        for i in range(start[x], start[x] + ln): table[i] = (s, maxb + 1 - x)
        start[x] += ln
    return (table, maxb)

def _huf_stream(data, n, huf):
    table, maxb = huf; br = _BackBits(data); out = bytearray()
    for _ in range(n):
        s, nb = table[br.peek(maxb)]; br.pos -= nb; out.append(s)
    need(br.pos == 0, "zstd: Huffman stream not consumed exactly")
    return bytes(out)

LL_BASE = list(range(16)) + [16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
LL_BITS = [0] * 16 + [1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
ML_BASE = [c + 3 for c in range(32)] + [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539]
ML_BITS = [0] * 32 + [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
LL_DEF = ([4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1], 6)
ML_DEF = ([1, 4, 3, 2, 2, 2, 2, 2, 2] + [1] * 37 + [-1] * 7, 6)
OF_DEF = ([1, 1, 1, 1, 1, 1, 2, 2, 2] + [1] * 15 + [-1] * 5, 5)

def zstd_decompress(src, one_frame=False):
    """zstd frames (skippable frames skipped) -> bytes. one_frame: exactly one frame, whose header
    gives its content size, and nothing else (a block's payload: SPEC "Block frame")."""
    out = bytearray(); pos = 0; frames = 0
    while pos < len(src):
        need(not (one_frame and frames), "zstd: bytes after the block's frame")
        need(pos + 4 <= len(src), "zstd: truncated magic")
        magic = struct.unpack_from("<I", src, pos)[0]; pos += 4; frames += 1
        if magic & 0xFFFFFFF0 == 0x184D2A50:
            need(not one_frame, "zstd: a skippable frame in a block")
            need(pos + 4 <= len(src), "zstd: truncated skippable frame"); pos += 4 + struct.unpack_from("<I", src, pos)[0]
            need(pos <= len(src), "zstd: skippable frame past the end"); continue
        need(magic == 0xFD2FB528, "zstd: bad frame magic %08x" % magic)
        fhd = src[pos]; pos += 1
        fcs_flag, single, reserved, cksum, did_flag = fhd >> 6, fhd >> 5 & 1, fhd >> 3 & 1, fhd >> 2 & 1, fhd & 3
        need(reserved == 0, "zstd: reserved frame header bit")
        if not single: pos += 1          # window descriptor: the whole frame is kept anyway
        did_size = (0, 1, 2, 4)[did_flag]
        did = int.from_bytes(src[pos:pos + did_size], "little"); pos += did_size
        need(did == 0, "zstd: frame needs dictionary %d" % did)
        fcs_size = (1 if single else 0, 2, 4, 8)[fcs_flag]
        fcs = int.from_bytes(src[pos:pos + fcs_size], "little") if fcs_size else None; pos += fcs_size
        if fcs_size == 2: fcs += 256
        need(fcs is not None or not one_frame, "zstd: the block's frame header gives no content size")
        frame = bytearray(); reps = [1, 4, 8]; huf = None; tabs = [None, None, None]
        while True:
            need(pos + 3 <= len(src), "zstd: truncated block header")
            bh = int.from_bytes(src[pos:pos + 3], "little"); pos += 3
            last, btype, bsize = bh & 1, bh >> 1 & 3, bh >> 3
            need(bsize <= 1 << 17, "zstd: block size")
            if btype == 0:
                need(pos + bsize <= len(src), "zstd: raw block past the end"); frame += src[pos:pos + bsize]; pos += bsize
            elif btype == 1:
                need(pos + 1 <= len(src), "zstd: RLE block past the end"); frame += src[pos:pos + 1] * bsize; pos += 1
            elif btype == 2:
                need(pos + bsize <= len(src), "zstd: compressed block past the end")
                huf = _zstd_block(src[pos:pos + bsize], frame, reps, huf, tabs); pos += bsize
            else:
                raise Corrupt("zstd: reserved block type")
            if last: break
        if cksum:
            need(pos + 4 <= len(src), "zstd: truncated content checksum")
            need(struct.unpack_from("<I", src, pos)[0] == xxh64(bytes(frame)) & 0xFFFFFFFF, "zstd: content checksum"); pos += 4
        need(fcs is None or fcs == len(frame), "zstd: content size %s != %d decoded" % (fcs, len(frame)))
        out += frame
    need(frames or not one_frame, "zstd: no frame")
    return bytes(out)

def _zstd_block(blk, frame, reps, huf, tabs):
    # literals section
    h0 = blk[0]; ltype, sf = h0 & 3, h0 >> 2 & 3
    if ltype in (0, 1):
        if sf in (0, 2): regen = h0 >> 3; p = 1
        elif sf == 1: regen = int.from_bytes(blk[0:2], "little") >> 4; p = 2
        else: regen = int.from_bytes(blk[0:3], "little") >> 4; p = 3
        if ltype == 0:
            need(p + regen <= len(blk), "zstd: raw literals past the block"); lits = blk[p:p + regen]; p += regen
        else:
            need(p < len(blk), "zstd: RLE literals past the block"); lits = blk[p:p + 1] * regen; p += 1
    else:
        if sf in (0, 1):
            h = int.from_bytes(blk[0:3], "little"); regen, csize, p = h >> 4 & 0x3FF, h >> 14 & 0x3FF, 3
        elif sf == 2:
            h = int.from_bytes(blk[0:4], "little"); regen, csize, p = h >> 4 & 0x3FFF, h >> 18 & 0x3FFF, 4
        else:
            h = int.from_bytes(blk[0:5], "little"); regen, csize, p = h >> 4 & 0x3FFFF, h >> 22 & 0x3FFFF, 5
        nstreams = 1 if sf == 0 else 4
        end = p + csize; need(end <= len(blk), "zstd: compressed literals past the block")
        if ltype == 2:
            w, p = _huf_weights(blk[:end], p); huf = _huf_table(w)
        else:
            need(huf is not None, "zstd: treeless literals without an earlier Huffman table")
        if nstreams == 1:
            lits = _huf_stream(blk[p:end], regen, huf)
        else:
            need(p + 6 <= end, "zstd: jump table past the literals")
            s1, s2, s3 = struct.unpack_from("<3H", blk, p); p += 6
            sizes = [s1, s2, s3, end - p - s1 - s2 - s3]; need(sizes[3] >= 0, "zstd: jump table sizes")
            seg = (regen + 3) // 4; counts = [seg, seg, seg, regen - 3 * seg]; need(counts[3] >= 0, "zstd: literal stream sizes")
            lits = b""
            for sz, cnt in zip(sizes, counts):
                lits += _huf_stream(blk[p:p + sz], cnt, huf); p += sz
        p = end
    # sequences section
    need(p < len(blk), "zstd: block without a sequences section")
    b0 = blk[p]; p += 1
    if b0 == 0: nseq = 0
    elif b0 < 128: nseq = b0
    elif b0 < 255: nseq = ((b0 - 128) << 8) + blk[p]; p += 1
    else: nseq = blk[p] + (blk[p + 1] << 8) + 0x7F00; p += 2
    if nseq == 0:
        need(p == len(blk), "zstd: bytes after a block without sequences"); frame += lits; return huf
    need(p < len(blk), "zstd: no compression modes byte")
    modes = blk[p]; p += 1; need(modes & 3 == 0, "zstd: reserved bits of the compression modes")
    for k, (mode, dflt, maxs, maxl) in enumerate(((modes >> 6, LL_DEF, 35, 9), (modes >> 4 & 3, OF_DEF, 31, 8), (modes >> 2 & 3, ML_DEF, 52, 9))):
        if mode == 0: tabs[k] = _fse_table(*dflt)
        elif mode == 1:
            need(p < len(blk) and blk[p] <= maxs, "zstd: RLE symbol"); tabs[k] = [(blk[p], 0, 0)]; p += 1
        elif mode == 2:
            probs, al, p = _fse_read_ncount(blk, p, maxs, maxl); tabs[k] = _fse_table(probs, al)
        else:
            need(tabs[k] is not None, "zstd: repeat mode without an earlier table")
    ll_t, of_t, ml_t = tabs
    br = _BackBits(blk[p:])
    def init(t): return br.read(_hb(len(t)))
    sll, sof, sml = init(ll_t), init(of_t), init(ml_t)
    lp = 0
    for i in range(nseq):
        llc, oc, mlc = ll_t[sll][0], of_t[sof][0], ml_t[sml][0]
        need(oc <= 31 and llc <= 35 and mlc <= 52, "zstd: sequence code out of range")
        ofv = (1 << oc) + br.read(oc)
        ml = ML_BASE[mlc] + br.read(ML_BITS[mlc])
        ll = LL_BASE[llc] + br.read(LL_BITS[llc])
        if ofv > 3:
            off = ofv - 3; reps[:] = [off, reps[0], reps[1]]
        else:
            idx = ofv + (1 if ll == 0 else 0)
            if idx == 1: off = reps[0]
            else:
                off = reps[0] - 1 if idx == 4 else reps[idx - 1]
                if idx == 2: reps[:] = [off, reps[0], reps[2]]
                else: reps[:] = [off, reps[0], reps[1]]
        need(lp + ll <= len(lits), "zstd: literal length past the literals")
        frame += lits[lp:lp + ll]; lp += ll
        need(1 <= off <= len(frame), "zstd: match offset %d past the output (%d)" % (off, len(frame)))
        st = len(frame) - off
        if off >= ml: frame += frame[st:st + ml]
        else:
            for k in range(ml): frame.append(frame[st + k])
        if i + 1 < nseq:
            _, nb, base = ll_t[sll]; sll = base + br.read(nb)
            _, nb, base = ml_t[sml]; sml = base + br.read(nb)
            _, nb, base = of_t[sof]; sof = base + br.read(nb)
        need(br.pos >= 0, "zstd: sequence bitstream overflow")
    need(br.pos == 0, "zstd: sequence bitstream not consumed exactly")
    frame += lits[lp:]
    return huf

# ---------------------------------------------------------------- segments
def unpack_bits(data, n, w):
    need(len(data) == (n * w + 7) // 8, "bit-packed length")
    if w == 0: return [0] * n
    big = int.from_bytes(data, "little"); mask = (1 << w) - 1
    return [(big >> (i * w)) & mask for i in range(n)]

ENC_NAMES = ("PLAIN", "RLE", "DICTIONARY", "FOR_BITPACK", "LENGTHS", "FOR_PATCHED")
ENC_TALLY = {}
def decode_block(d, off, length, col, rows, ver):
    b = Buf(d, off, off + length)
    enc, comp, res, n, raw, stored = struct.unpack("<BBHIII", b.take(16))
    need(res == 0, "block reserved"); need(n == rows, "block value count %d != rows %d" % (n, rows))
    need(16 + stored + 8 == length, "block length"); need(enc in (0, 1, 2, 3, 4, 5), "encoding %d" % enc)
    need(enc < 4 or ver >= 4, "encoding %s in a segment file of version %d" % (ENC_NAMES[enc], ver))
    need(comp in (0, 1), "compression %d" % comp)
    payload = b.take(stored)
    ENC_TALLY[(col["name"], ENC_NAMES[enc], comp)] = ENC_TALLY.get((col["name"], ENC_NAMES[enc], comp), 0) + 1
    need(b.u64() == xxh64(d[off:off + 16 + stored]), "block checksum at %d" % off)
    need(raw <= 1 << 30, "raw size %d past 2^30" % raw)
    if comp == 1:
        payload = zstd_decompress(payload, one_frame=True)
        need(len(payload) == raw, "block at %d: zstd frame decompresses to %d bytes, raw size %d" % (off, len(payload), raw))
    else:
        need(raw == stored, "raw != stored for uncompressed block")
    t, p = col["type"], col["prec"]; W = width(t, p)
    pb = Buf(payload)
    vflag = pb.u8(); need(vflag in (0, 1), "validity flag")
    if vflag:
        need(col["nullable"], "validity bitmap in NOT NULL column")
        bm = pb.take((n + 7) // 8); valid = [bool(bm[i >> 3] >> (i & 7) & 1) for i in range(n)]
    else:
        valid = [True] * n
    def fixed(raw_bytes):
        if t == 4: return struct.unpack("<d", raw_bytes)[0]
        return int.from_bytes(raw_bytes, "little", signed=True)
    def rd_val(bb):
        return bb.take(bb.u32()).decode("utf-8") if t == 6 else fixed(bb.take(W))
    if enc == 0:
        if t == 6:
            offs = [pb.u32() for _ in range(n + 1)]; need(offs[0] == 0, "offsets[0]")
            blob = pb.take(offs[n]); vals = []
            for i in range(n):
                need(offs[i] <= offs[i + 1], "offsets decreasing")
                need(valid[i] or offs[i] == offs[i + 1], "NULL row with bytes")
                vals.append(blob[offs[i]:offs[i + 1]].decode("utf-8"))
        else:
            vals = [fixed(pb.take(W)) for _ in range(n)]
    elif enc == 1:
        r = pb.u32(); need(1 <= r <= n, "run count"); vals = []
        for _ in range(r):
            ln = pb.u32(); need(ln >= 1, "run length 0"); v = rd_val(pb); vals += [v] * ln
        need(len(vals) == n, "run lengths do not add up")
    elif enc == 2:
        need(t == 6, "DICTIONARY on non-STRING")
        dcount = pb.u32(); need(dcount <= n, "dict count")
        offs = [pb.u32() for _ in range(dcount + 1)]; need(offs[0] == 0, "dict offsets[0]")
        blob = pb.take(offs[dcount]); ents = [blob[offs[k]:offs[k + 1]].decode("utf-8") for k in range(dcount)]
        w = pb.u8(); need(w <= 32, "code width"); codes = unpack_bits(pb.take((n * w + 7) // 8), n, w); vals = []
        for i, c in enumerate(codes):
            if valid[i]: need(c < dcount, "code out of range"); vals.append(ents[c])
            else: need(c < dcount or c == 0, "NULL code"); vals.append(None)
    elif enc == 4:
        # LENGTHS: per row, u32 length then that many bytes (a NULL row: length 0)
        need(t == 6, "LENGTHS on non-STRING")
        vals = []
        for i in range(n):
            v = pb.take(pb.u32()); need(valid[i] or not v, "NULL row with bytes")
            vals.append(v.decode("utf-8"))
    else:
        need(integer_like(t), "%s on DOUBLE/STRING" % ENC_NAMES[enc])
        big = (t == 5 and p > 18); bits = 128 if big else 64
        base = pb.i128() if big else pb.i64(); mult = pb.i128() if big else pb.i64()
        w = pb.u8(); need(w <= 64, "FOR width"); offs = unpack_bits(pb.take((n * w + 7) // 8), n, w)
        vals = []
        for o in offs:
            v = (base + mult * o) % (1 << bits) % (1 << (8 * W))
            if v >= 1 << (8 * W - 1): v -= 1 << (8 * W)
            vals.append(v)
        if enc == 5:
            # FOR_PATCHED: then u32 exception count x, x u32 row numbers (strictly increasing,
            # each < n), x values of the physical width; an exception row's offset is ignored
            x = pb.u32(); need(x <= n, "exception count %d > n %d" % (x, n))
            erows = [pb.u32() for _ in range(x)]
            need(all(erows[k] < erows[k + 1] for k in range(x - 1)), "exception rows not strictly increasing")
            need(all(r < n for r in erows), "exception row >= n")
            for r in erows: vals[r] = fixed(pb.take(W))
    need(pb.done(), "bytes left over in block payload")
    out = []
    for i in range(n):
        if not valid[i]: out.append(None); continue
        v = vals[i]
        if t == 1: need(v in (0, 1), "BOOLEAN not 0/1"); v = bool(v)
        out.append(v)
    return out

def zone_map_of(values, t):
    nn = [v for v in values if v is not None]; nulls = len(values) - len(nn)
    if not nn or (t == 4 and any(v != v for v in nn)): return {"has": False, "nulls": nulls, "min": None, "max": None}
    key = (lambda v: v.encode()) if t == 6 else (lambda v: v)
    mn = min(nn, key=key); mx = max(nn, key=key)
    if t == 6 and (len(mn.encode()) > 256 or len(mx.encode()) > 256): return {"has": False, "nulls": nulls, "min": None, "max": None}
    return {"has": True, "nulls": nulls, "min": int(mn) if t == 1 else mn, "max": int(mx) if t == 1 else mx}

U32MAX = (1 << 32) - 1

def read_segment(path):
    d = open(path, "rb").read()
    need(len(d) >= 8 + 48 and d[:8] == b"WHSEG\r\n\x1a" and d[-8:] == b"WHSEG\r\n\x1a", "segment magic")
    tr = d[-48:]
    foff, flen, ver, res, incompat, compat, fxxh, txxh = struct.unpack_from("<QIHHIIQQ", tr, 0)
    need(txxh == xxh64(tr[:32]), "trailer checksum")
    need(1 <= ver <= 5, "segment version %d (this reader reads versions 1 to 5)" % ver)
    need(res == 0, "trailer reserved"); need(incompat == 0, "incompatible features")
    need(foff >= 8 and foff + flen + 48 == len(d), "footer offset/length")
    need(fxxh == xxh64(d[foff:foff + flen]), "footer checksum")
    b = Buf(d, foff, foff + flen)
    C = b.u32(); need(1 <= C <= 4096, "column count"); cols = []
    for _ in range(C):
        name = b.string(); t, p, s, fl = b.u8(), b.u8(), b.u8(), b.u8()
        need(t in TYPES and fl & ~1 == 0, "column type/flags")
        cols.append({"name": name, "type": t, "prec": p, "scale": s, "nullable": bool(fl & 1)})
    props = [(b.string(), b.string()) for _ in range(b.u32())]
    total = b.u64(); G = b.u32(); rgs = []; expect = 8
    for g in range(G):
        if ver == 1:
            bk = b.u32(); rows = b.u32(); bidx = [(bk, rows)]
        elif ver <= 4:
            rows = b.u32(); need(1 <= rows <= 1 << 20, "row group rows"); E = b.u32(); need(1 <= E <= rows, "E")
            bidx = [(b.u32(), b.u32()) for _ in range(E)]
            need(all(bidx[k][0] < bidx[k + 1][0] for k in range(E - 1)), "bucket index order")
            need(sum(r for _, r in bidx) == rows and all(r >= 1 for _, r in bidx), "bucket index rows")
        if ver <= 4:
            # one slice: the row group's part (set below from the parts table; None before version 3)
            slices = [{"part": None, "start": 0, "rows": rows, "pairs": bidx}]
        else:
            # version 5: varint slices, each (part gap, entries of (bucket gap, rows)); SPEC "Footer"
            rows = b.u32(); need(1 <= rows <= 1 << 20, "row group %d: rows %d" % (g, rows))
            S = b.varint(); need(1 <= S <= rows, "row group %d: slice count %d not in 1..%d" % (g, S, rows))
            slices = []; part = -1; start = 0
            for si in range(S):
                gap = b.varint(); need(gap <= U32MAX, "row group %d: part gap past 2^32-1" % g)
                part = gap if si == 0 else part + gap + 1
                need(part <= U32MAX, "row group %d: part past 2^32-1" % g)
                E = b.varint(); need(1 <= E <= rows, "row group %d: entry count %d not in 1..%d" % (g, E, rows))
                pairs = []; bk = -1
                for k in range(E):
                    bg = b.varint(); need(bg <= U32MAX, "row group %d: bucket gap past 2^32-1" % g)
                    bk = bg if k == 0 else bk + bg + 1
                    need(bk <= U32MAX, "row group %d: bucket past 2^32-1" % g)
                    r = b.varint(); need(1 <= r <= rows, "row group %d: entry rows %d not in 1..%d" % (g, r, rows))
                    pairs.append((bk, r))
                n = sum(r for _, r in pairs)
                slices.append({"part": part, "start": start, "rows": n, "pairs": pairs}); start += n
            need(start == rows, "row group %d: the entries' rows add up to %d, not the row group's %d" % (g, start, rows))
            bidx = [pr for sl in slices for pr in sl["pairs"]]
        blocks = []
        for c in cols:
            off = b.u64(); ln = b.u32(); need(off == expect, "block not contiguous at %d" % off); expect = off + ln
            blocks.append({"offset": off, "length": ln, "zm": read_zone_map(b, c["type"], c["prec"])})
        rgs.append({"rows": rows, "bidx": bidx, "slices": slices, "blocks": blocks})
    need(expect == foff, "last block does not end at footer")
    need(total == sum(r["rows"] for r in rgs), "footer row count")
    if ver in (3, 4):   # version 4 keeps version 3's footer
        K = b.u32(); need(K <= G and (K >= 1 or G == 0), "part count"); parts = []; first = 0; prev = None
        for _ in range(K):
            hp = b.u8(); day = b.i32(); n = b.u32()
            need(hp in (0, 1) and (hp or day == 0) and n >= 1, "part fields")
            need(prev is None or (hp, day) > prev, "parts not increasing"); prev = (hp, day)
            parts.append({"has_partition": hp, "day": day, "rg_first": first, "rg_count": n}); first += n
        need(first == G, "parts' row groups != G")
        for k, pt in enumerate(parts):
            for g in range(pt["rg_first"], pt["rg_first"] + pt["rg_count"]): rgs[g]["slices"][0]["part"] = k
    elif ver >= 5:
        nslices = sum(len(r["slices"]) for r in rgs)
        K = b.u32(); need(K <= nslices and (K >= 1 or G == 0), "part count %d not in 1..%d (the slices)" % (K, nslices))
        parts = []; prev = None
        for k in range(K):
            hp = b.u8(); day = b.i32(); first = b.u32(); n = b.u32()
            need(hp in (0, 1) and (hp or day == 0), "part %d: has partition %d, day %d" % (k, hp, day))
            need(n >= 1, "part %d: row groups 0" % k)
            need(first + n <= G, "part %d: row groups [%d, %d) past G = %d" % (k, first, first + n, G))
            need(prev is None or (hp, day) > prev, "parts not in strictly increasing partition order"); prev = (hp, day)
            parts.append({"has_partition": hp, "day": day, "rg_first": first, "rg_count": n})
        holds = [set() for _ in range(K)]   # the row groups holding rows of each part
        for g, r in enumerate(rgs):
            for sl in r["slices"]:
                k = sl["part"]
                need(k < K, "row group %d: a slice of part %d, but the parts table has %d" % (g, k, K))
                pt = parts[k]
                need(pt["rg_first"] <= g < pt["rg_first"] + pt["rg_count"],
                     "row group %d: an entry of part %d outside its row groups [%d, %d)" % (g, k, pt["rg_first"], pt["rg_first"] + pt["rg_count"]))
                holds[k].add(g)
        for k, pt in enumerate(parts):
            lo, hi = pt["rg_first"], pt["rg_first"] + pt["rg_count"] - 1
            need(lo in holds[k], "part %d: its first row group %d holds none of its rows" % (k, lo))
            need(hi in holds[k], "part %d: its last row group %d holds none of its rows" % (k, hi))
    else:
        parts = None
    need(b.done(), "trailing bytes in footer")
    return {"data": d, "version": ver, "footer_xxh": fxxh, "size": len(d), "columns": cols, "props": props,
            "rows": total, "row_groups": rgs, "parts": parts, "decoded": {}}

def map_file_columns(fcols, cols, wcols):
    """SPEC 'Schema changes': a file's columns are the storage columns of the schema it was written
    under (wcols, when the manifest says which: None for a base record's files); each of today's
    storage columns (cols) maps to the file column of the same name, ignoring ASCII case.
    Returns (fmap, problems): fmap[j] = the file's column index of cols[j], or None (reads NULL)."""
    probs = []
    fidx = {}
    for i, c in enumerate(fcols):
        if lname(c["name"]) in fidx: probs.append("file columns %r repeated (ignoring case)" % c["name"])
        fidx[lname(c["name"])] = i
    last = fcols[-1]
    if lname(last["name"]) != "etl_date" or last["type"] != 8 or last["nullable"]:
        probs.append("last file column %r is not etl_date TIMESTAMP NOT NULL" % last["name"])
    tidx = {lname(c["name"]): j for j, c in enumerate(cols)}
    for i, c in enumerate(fcols):
        j = tidx.get(lname(c["name"]))
        if j is None: probs.append("file column %r is not in today's schema" % c["name"]); continue
        t = cols[j]
        if not widens(c, t): probs.append("file column %s %s does not widen to today's %s" % (c["name"], type_str(c), type_str(t)))
        if c["nullable"] == t["not_null"]: probs.append("file column %r: footer says %s, schema says %s" % (c["name"], "nullable" if c["nullable"] else "NOT NULL", "NOT NULL" if t["not_null"] else "nullable"))
    # the schema it was written under: today's declared columns up to some point, then etl_date
    fdecl = [lname(c["name"]) for c in fcols[:-1]]
    if fdecl != [lname(c["name"]) for c in cols[:len(fdecl)]] or len(fdecl) > len(cols) - 1:
        probs.append("file's declared columns %s are not the first of today's" % [c["name"] for c in fcols[:-1]])
    fmap = [fidx.get(lname(c["name"])) for c in cols]
    for j, c in enumerate(cols):
        if fmap[j] is None and c["not_null"]: probs.append("NOT NULL column %r missing from the file" % c["name"])
    if wcols is not None:
        got = [(c["name"], c["type"], c["prec"], c["scale"], c["nullable"]) for c in fcols]
        want = [(c["name"], c["type"], c["prec"], c["scale"], not c["not_null"]) for c in wcols]
        if got != want: probs.append("columns %s are not the storage columns %s of the schema it was written under" % (got, want))
    return (None if probs else fmap), probs

# ---------------------------------------------------------------- main
def main():
    print("_warehouse version", read_marker(os.path.join(WH, "_warehouse")))
    tdir = os.path.join(WH, TABLE)
    st = load_state(tdir); sc = st["schema"]; cols = sc["storage"]
    h = st["head"]
    if h is None: print("_head: absent; manifest %d bytes (valid %d)" % (st["manifest_len"], st["valid_len"]))
    else: print("_head: seq %d, manifest length %d; manifest %d bytes (valid %d); head %s the manifest" %
                (h["seq"], h["manifest_len"], st["manifest_len"], st["valid_len"], "confirms" if st["confirmed"] else "does NOT confirm"))
    print("manifest records: schema;", "; ".join(st["records"]))
    print("schema: table %s, columns %s" % (sc["table"], ", ".join("%s %s%s" % (c["name"], TYPES[c["type"]], " NOT NULL" if c["not_null"] else "") for c in sc["columns"])))
    print("  partition column %r = %s  expr %r; bucket column %r, %d buckets" % (sc["pcol"], sc.get("psql"), sc.get("pexpr"), sc["bucket_col"], sc["bucket_count"]))
    print("\nCommit history:")
    for c in st["commits"]:
        print("  seq %d  etl_date %s  commit time %s UTC  [%s]  sources %s" % (c["seq"], ts_str(c["etl"]), ts_str(c["time"]), c["kind"],
              ", ".join("%s (%d bytes, xxh64 %016x)" % s for s in c["sources"]) or "-"))
        if c["added"] is not None: print("      added %s; removed %s" % (c["added"], c["removed"]))
        if c.get("change"): print("      schema change: %s" % c["change"])
    print("\nLive segment entries (snapshot order):")
    for e in st["live"]:
        print("  [commit %d] %s  partition %s  rows %d  buckets %s  (file %d bytes, footer xxh64 %016x)" % (
            e["seq"], e["path"], date_str(e["day"]) if e["has_partition"] else "NULL", e["rows"], e["buckets"], e["bytes"], e["footer_xxh"]))
        for c, z in zip(cols, e["zone_maps"]):
            print("      %-9s %s" % (c["name"], zm_str(z, c["type"], c["prec"], c["scale"])))
    print("Retired:", st["retired"] or "(none)")

    all_rows = []; segs = {}; problems = []
    etl_of = {c["seq"]: c["etl"] for c in st["commits"]}
    for e in st["live"]:
        if e["path"] not in segs:
            seg = segs[e["path"]] = read_segment(os.path.join(tdir, e["path"]))
            print("\nSegment %s: version %d, %d bytes, %d rows, %d row groups, properties %s" % (
                e["path"], seg["version"], seg["size"], seg["rows"], len(seg["row_groups"]), seg["props"]))
            print("  columns:", ", ".join("%s %s%s" % (c["name"], TYPES[c["type"]], "" if c["nullable"] else " NOT NULL") for c in seg["columns"]))
            for i, rg in enumerate(seg["row_groups"]):
                if seg["version"] >= 5:
                    print("  rg %d: rows %d bucket index (part: (bucket, rows)...) %s" % (
                        i, rg["rows"], "; ".join("part %d: %s" % (sl["part"], sl["pairs"]) for sl in rg["slices"])))
                else:
                    print("  rg %d: rows %d bucket index %s" % (i, rg["rows"], rg["bidx"]))
                for c, bl in zip(seg["columns"], rg["blocks"]):
                    print("      %-9s @%d len %d  %s" % (c["name"], bl["offset"], bl["length"], zm_str(bl["zm"], c["type"], c["prec"], c["scale"])))
            for p in seg["parts"] or []:
                print("  part: partition %s, row groups [%d, %d)" % (date_str(p["day"]) if p["has_partition"] else "NULL", p["rg_first"], p["rg_first"] + p["rg_count"]))
            # the columns must be the storage columns of the schema the file was written under,
            # mapped to today's by name (SPEC "Schema changes")
            wcols = None if e["wschema"] is None else st["schemas"][e["wschema"]]["storage"]
            seg["fmap"], probs = map_file_columns(seg["columns"], cols, wcols)
            problems += ["%s: %s" % (e["path"], x) for x in probs]
            if seg["fmap"] is not None and [None if i is None else (seg["columns"][i]["name"], type_str(seg["columns"][i])) for i in seg["fmap"]] != [
                    (c["name"], type_str(c)) for c in cols]:
                print("  read as today's columns:", ", ".join(
                    "%s <- %s" % (c["name"], "NULL" if i is None else "%s %s" % (seg["columns"][i]["name"], type_str(seg["columns"][i])))
                    for c, i in zip(cols, seg["fmap"])))
        seg = segs[e["path"]]
        if seg["size"] != e["bytes"]: problems.append("%s: size %d != manifest %d" % (e["path"], seg["size"], e["bytes"]))
        if seg["footer_xxh"] != e["footer_xxh"]: problems.append("%s: footer xxh64 differs from manifest" % e["path"])
        if seg["fmap"] is None:
            problems.append("%s: columns cannot be mapped to today's; rows not read" % e["path"]); continue
        fmap = seg["fmap"]
        # The entry's rows: its part's slices of the row groups (SPEC "Parts"; a file of version 1
        # or 2 is one part, and before version 5 a row group holds one part's rows only).
        if seg["parts"] is None: pi = None; rgi = list(range(len(seg["row_groups"])))
        else:
            m = [k for k, p in enumerate(seg["parts"]) if (p["has_partition"], p["day"]) == (e["has_partition"], e["day"])]
            need(m, "%s has no part for partition %s" % (e["path"], e["day"]))
            pi = m[0]; pt = seg["parts"][pi]
            rgi = list(range(pt["rg_first"], pt["rg_first"] + pt["rg_count"]))
        sl = [(g, x) for g in rgi for x in seg["row_groups"][g]["slices"] if x["part"] == pi]
        prows = sum(x["rows"] for _, x in sl)
        bmap = {}
        for _, x in sl:
            for bk, n in x["pairs"]: bmap[bk] = bmap.get(bk, 0) + n
        ok_rows = prows == e["rows"]; ok_b = sorted(bmap.items()) == list(e["buckets"])
        # bucket order across the row groups holding rows of the part: the last bucket of its slice
        # in one is at most the first of its slice in the next
        for (ga, a), (gb, b_) in zip(sl, sl[1:]):
            if a["pairs"][-1][0] > b_["pairs"][0][0]: problems.append("%s: bucket order across row groups %d and %d" % (e["path"], ga, gb))
        for bk in bmap:
            if (bk >= sc["bucket_count"]) if sc["bucket_count"] else bk != 0:
                problems.append("%s: bucket %d, but the table has %d buckets" % (e["path"], bk, sc["bucket_count"]))
        # decode each row group once per file (a row group shared by parts serves several entries)
        for g, _ in sl:
            if g in seg["decoded"]: continue
            r = seg["row_groups"][g]
            if len(r["slices"]) > 1:
                print("  decode %s rg %d: row group shared by parts %s (rows %s)" % (
                    e["path"], g, [x["part"] for x in r["slices"]], [x["rows"] for x in r["slices"]]))
            colvals = [decode_block(seg["data"], bl["offset"], bl["length"], c, r["rows"], seg["version"]) for c, bl in zip(seg["columns"], r["blocks"])]
            for ci, (c, bl) in enumerate(zip(seg["columns"], r["blocks"])):
                if zone_map_of(colvals[ci], c["type"]) != bl["zm"]: problems.append("%s: rg %d: block zone map of %s differs from values" % (e["path"], g, c["name"]))
            seg["decoded"][g] = colvals
        def slice_zm(g, x, j):
            # SPEC "Segment zone maps": a row group's block zone map when it holds rows of this part
            # only, else the zone map the part's slice would have as a block (read under today's column j)
            r = seg["row_groups"][g]; i = fmap[j]
            if i is None: return {"has": False, "nulls": x["rows"], "min": None, "max": None}
            if len(r["slices"]) == 1: z = r["blocks"][i]["zm"]
            else: z = zone_map_of(seg["decoded"][g][i][x["start"]:x["start"] + x["rows"]], seg["columns"][i]["type"])
            return convert_zm(z, seg["columns"][i], cols[j])
        zm_ok = all(merge_zone_maps([slice_zm(g, x, j) for g, x in sl], [x["rows"] for _, x in sl]) == e["zone_maps"][j] for j in range(len(cols)))
        print("  check entry %s partition %s: part found, rows %d vs manifest %d %s; bucket rows %s vs %s %s; zone maps merge %s" % (
            e["path"], date_str(e["day"]) if e["has_partition"] else "NULL", prows, e["rows"], "OK" if ok_rows else "MISMATCH",
            sorted(bmap.items()), e["buckets"], "OK" if ok_b else "MISMATCH", "OK" if zm_ok else "MISMATCH"))
        if not (ok_rows and ok_b and zm_ok): problems.append("%s: manifest/part mismatch" % e["path"])
        for g, x in sl:
            colvals = seg["decoded"][g]
            bucket_of_row = [bk for bk, n in x["pairs"] for _ in range(n)]
            for i in range(x["rows"]):
                ri = x["start"] + i
                row = [None if fi is None else convert(colvals[fi][ri], seg["columns"][fi], c) for fi, c in zip(fmap, cols)]
                pday = e["day"] if e["has_partition"] else None
                if sc["pcol"]:
                    v = eval_pexpr(sc["pexpr"], row[:-1], sc["columns"])
                    if (None if v is None else v // 86400000000) != pday: problems.append("row %s: partition expression != entry's day" % row)
                if sc["bucket_count"]:
                    bi = [lname(c["name"]) for c in sc["columns"]].index(lname(sc["bucket_col"])); kv = row[bi]
                    bt = 0 if kv is None else xxh64(struct.pack("<q", kv)) % sc["bucket_count"]  # integer-like bucket column only
                    if bt != bucket_of_row[i]: problems.append("row %s: hash bucket %d != index bucket %d" % (row, bt, bucket_of_row[i]))
                # only an ingest commit's rows carry its etl_date (a base record's commits may
                # have been compactions: SPEC "Manifest")
                cm = st["commits"][e["seq"] - 1]
                if cm["kind"] == "ingest" and row[-1] != etl_of[e["seq"]]:
                    problems.append("row %s: etl_date != ingest commit's" % row)
                if cm["kind"] == "overwrite" and cm["replaced"] is not None and (e["has_partition"], e["day"]) in cm["replaced"] and row[-1] != etl_of[e["seq"]]:
                    problems.append("row %s: a new row of an overwrite without its etl_date" % row)
                all_rows.append(row[:-1] + ([pday] if sc["pcol"] else []) + [row[-1]])

    # SPEC "Parts": the manifest lists every part of a file
    for pth, seg in segs.items():
        listed = {(e["has_partition"], e["day"]) for e in st["live"] if e["path"] == pth}
        for p in seg["parts"] or []:
            if (p["has_partition"], p["day"]) not in listed:
                problems.append("%s: part of partition %s not listed by the manifest" % (pth, date_str(p["day"]) if p["has_partition"] else "NULL"))

    ui = [c["name"] for c in sc["columns"]].index("user_id")
    all_rows.sort(key=lambda r: (r[ui] is None, r[ui] if r[ui] is not None else 0))
    hdr = [c["name"] for c in sc["columns"]] + ([sc["pcol"]] if sc["pcol"] else []) + ["etl_date"]
    types = [(c["type"], c["prec"], c["scale"]) for c in sc["columns"]] + ([(7, 0, 0)] if sc["pcol"] else []) + [(8, 0, 0)]
    cells = [[fmt_val(v, *tp) for v, tp in zip(r, types)] for r in all_rows]
    wd = [max([len(h_)] + [len(c[i]) for c in cells]) for i, h_ in enumerate(hdr)]
    print("\nRows of %s sorted by user_id (%d rows):" % (TABLE, len(all_rows)))
    print("  " + " | ".join(h_.ljust(w) for h_, w in zip(hdr, wd)))
    print("  " + "-+-".join("-" * w for w in wd))
    for c in cells: print("  " + " | ".join(x.ljust(w) for x, w in zip(c, wd)))
    print("\nSummary: %d commits, %d live files, %d live entries, %d retired" % (len(st["commits"]), len(segs), len(st["live"]), len(st["retired"])))
    for pth in segs:
        print("  %s: %s" % (pth, ", ".join("%s=%d rows" % (date_str(e["day"]) if e["has_partition"] else "NULL", e["rows"]) for e in st["live"] if e["path"] == pth)))
    print("Blocks decoded (column, encoding, compression): count:", ", ".join("%s/%s/%s: %d" % (k + (v,)) for k, v in sorted(ENC_TALLY.items())))
    print("Problems:", problems or "none")

if __name__ == "__main__":
    try: main()
    except Corrupt as ex: print("CORRUPT:", ex); sys.exit(2)
