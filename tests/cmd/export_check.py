#!/usr/bin/env python3
"""Structure checks of `lotrace export` and `lotrace timeline` outputs.

    export_check.py chrome OUT.json      Chrome JSON Trace Event Format
    export_check.py otlp-json OUT.json   OTLP/JSON: resourceSpans with their spans
    export_check.py perfetto OUT.pftrace Perfetto protobuf (framing decoded here)
    export_check.py svg OUT.svg          well-formed XML with the picture's parts
    export_check.py timeline-json OUT    timeline --json intervals
    export_check.py pprof OUT.pb.gz      pprof profile.proto (gzipped), by a table of its fields
    export_check.py folded OUT.txt       flame's folded stacks, as flamegraph.pl reads them
    export_check.py perfetto-proto       prints the Perfetto field table as a .proto
(perfetto also checks every field against a table of Perfetto's schema.)
A trailing "story" argument also checks what tests/cmd/story_prog records,
"uptime" what tests/cmd/uptime_trace writes (chrome only), "three" the three
processes of tests/analysis/gen_multi (perfetto only).
Exits 1 with the reasons on stderr."""
import json
import sys
import xml.etree.ElementTree as ET

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)


def load_strict(path):
    """JSON as RFC 8259 has it: no NaN or Infinity, no duplicate keys."""
    def no_constant(c):
        raise ValueError("not JSON: " + c)

    def unique(pairs):
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate key in %r" % keys)
        return dict(pairs)
    with open(path) as f:
        return json.load(f, parse_constant=no_constant, object_pairs_hook=unique)


def ns(us):
    return int(round(float(us) * 1000))


def chrome(path, story):
    d = load_strict(path)
    evs = d["traceEvents"]
    other = d["otherData"]
    for k in ("start_ns", "end_ns", "lost", "damaged"):
        check(k in other, "otherData lacks " + k)
    slices = {}
    async_open = {}
    flows = {}
    names = {}
    for e in evs:
        ph = e.get("ph")
        check(isinstance(e.get("pid"), int) and isinstance(e.get("tid"), int), "pid/tid: %r" % e)
        check(isinstance(e.get("name"), str), "name: %r" % e)
        if ph == "M":
            names[(e["pid"], e["tid"], e["name"])] = e["args"]["name"]
            continue
        check(isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0, "ts: %r" % e)
        if ph == "X":
            check(e.get("dur", -1) >= 0, "X without dur: %r" % e)
            slices.setdefault((e["pid"], e["tid"]), []).append((e["ts"], ns(e["dur"]), e["name"]))
        elif ph in "be":
            key = (e["cat"], e["id"])
            async_open[key] = async_open.get(key, 0) + (1 if ph == "b" else -1)
        elif ph in "sf":
            flows.setdefault(e["id"], []).append(ph)
            if ph == "f":
                check(e.get("bp") == "e", "flow end without bp e: %r" % e)
        elif ph in ("B", "E"):
            problems.append("B/E used: %r" % e)
        else:
            check(ph in ("i", "C"), "unexpected phase %r" % ph)
    check(all(v == 0 for v in async_open.values()), "async b/e unpaired: %r" % async_open)
    check(all(sorted(v) == ["f", "s"] for v in flows.values()), "flows unpaired: %r" % flows)
    # X slices nest per track (what B/E nesting would require), in whole
    # nanoseconds as a viewer reads them: the JSON number as a double, times
    # 1000, rounded (a slice that overlaps its neighbour by 1 ns is dropped)
    for track, v in slices.items():
        v = [(ns(b), ns(b) + d, n) for b, d, n in v]
        v.sort(key=lambda s: (s[0], -s[1]))
        stack = []
        for b, e, n in v:
            while stack and stack[-1] <= b:
                stack.pop()
            check(not stack or e <= stack[-1], "X %r overlaps its parent on %r at %d ns" % (n, track, b))
            stack.append(e)
    if story == "uptime":
        ticks = [s for v in slices.values() for s in v if s[2] == "tick"]
        check(len(ticks) == 2000, "%d tick slices, not 2000" % len(ticks))
    if story == "story":
        tnames = set(names.values())
        check({"main", "worker"} <= tnames, "thread names: %r" % tnames)
        spans = {n: d for v in slices.values() for b, d, n in v}
        check("handle" in spans and "parse" in spans, "spans handle/parse as X")
        if "parse" in spans:
            dur = spans["parse"] / 1000
            check(250 <= dur <= 1e6, "parse lasts %r us: ts/dur not in microseconds?" % dur)
        asyncs = {e["name"] for e in evs if e.get("ph") == "b"}
        check("handoff" in asyncs, "handoff (ends on another thread) not async: %r" % asyncs)
        check("a" in asyncs or "b" in asyncs, "overlapping a/b not async")
        check(len(flows) >= 1, "no flow from waker to wakee")
        states = {e["name"] for e in evs if e.get("cat") == "state"}
        check({"running", "runnable", "blocked: io"} <= states, "states: %r" % states)
        check(any(e.get("ph") == "C" and e["name"] == "queue_depth" for e in evs), "counter")
        check(any(e.get("ph") == "i" and e["name"] == "parsed" for e in evs), "instant")
        handle = [e for e in evs if e.get("name") == "handle" and e.get("ph") == "X"]
        check(handle and handle[0]["args"]["attributes"] == {"path": '/index "quoted"', "bytes": 512},
              "handle's attributes: %r" % (handle and handle[0].get("args")))


# ---- protobuf ----

def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field, wire, value) of one message; value: int or bytes."""
    i = 0
    out = []
    while i < len(b):
        tag, i = varint(b, i)
        f, w = tag >> 3, tag & 7
        if w == 0:
            v, i = varint(b, i)
        elif w == 1:
            v = int.from_bytes(b[i:i + 8], "little")
            i += 8
        elif w == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            check(len(v) == n, "truncated field %d" % f)
            i += n
        elif w == 5:
            v = int.from_bytes(b[i:i + 4], "little")
            i += 4
        else:
            raise ValueError("wire type %d" % w)
        out.append((f, w, v))
    return out


def get(fs, num):
    return [v for f, w, v in fs if f == num]


# ---- the Perfetto schema, as far as lotrace uses it ----
#
# Every field the exporter may write, by message: number -> (name, type,
# how many).  Written down from Perfetto's protos/perfetto/trace/*.proto
# (TracePacket, ClockSnapshot, TrackDescriptor and its Process/Thread/
# Counter descriptors, TrackEvent, DebugAnnotation, InternedData and its
# EventName, DebugAnnotationName, InternedString).  A type is a scalar
# ("uint64", "int32", "fixed64", "string", "bytes", ...), a message name,
# or ("enum", {allowed values}).  "opt" fields appear at most once, "rep"
# ones any number of times (proto2: unpacked, one tag per value).  Fields of
# one oneof are listed in ONEOFS: at most one of them per message.
U64, U32, I64, I32, F64, STR, BYTES = "uint64", "uint32", "int64", "int32", "fixed64", "string", "bytes"
PERFETTO = {
    "Trace": {1: ("packet", "TracePacket", "rep")},
    "TracePacket": {
        8: ("timestamp", U64, "opt"),
        58: ("timestamp_clock_id", U32, "opt"),
        10: ("trusted_packet_sequence_id", U32, "opt"),
        13: ("sequence_flags", U32, "opt"),  # a bit set of SequenceFlags 1 | 2
        59: ("trace_packet_defaults", "TracePacketDefaults", "opt"),
        12: ("interned_data", "InternedData", "opt"),
        6: ("clock_snapshot", "ClockSnapshot", "opt"),
        11: ("track_event", "TrackEvent", "opt"),
        60: ("track_descriptor", "TrackDescriptor", "opt"),
    },
    "TracePacketDefaults": {58: ("timestamp_clock_id", U32, "opt")},
    "ClockSnapshot": {
        1: ("clocks", "Clock", "rep"),
        2: ("primary_trace_clock", ("enum", {1, 2, 3, 4, 5, 6, 9, 10, 11}), "opt"),  # BuiltinClock
    },
    "Clock": {1: ("clock_id", U32, "opt"), 2: ("timestamp", U64, "opt")},
    "TrackDescriptor": {
        1: ("uuid", U64, "opt"),
        5: ("parent_uuid", U64, "opt"),
        2: ("name", STR, "opt"),
        3: ("process", "ProcessDescriptor", "opt"),
        4: ("thread", "ThreadDescriptor", "opt"),
        8: ("counter", "CounterDescriptor", "opt"),
    },
    "ProcessDescriptor": {1: ("pid", I32, "opt"), 6: ("process_name", STR, "opt")},
    "ThreadDescriptor": {1: ("pid", I32, "opt"), 2: ("tid", I32, "opt"), 5: ("thread_name", STR, "opt")},
    "CounterDescriptor": {},
    "TrackEvent": {
        9: ("type", ("enum", {1, 2, 3, 4}), "opt"),  # SLICE_BEGIN, SLICE_END, INSTANT, COUNTER
        11: ("track_uuid", U64, "opt"),
        10: ("name_iid", U64, "opt"),
        4: ("debug_annotations", "DebugAnnotation", "rep"),
        30: ("counter_value", I64, "opt"),
        47: ("flow_ids", F64, "rep"),
        48: ("terminating_flow_ids", F64, "rep"),
    },
    "DebugAnnotation": {
        1: ("name_iid", U64, "opt"),
        10: ("name", STR, "opt"),
        4: ("int_value", I64, "opt"),
        6: ("string_value", STR, "opt"),
        17: ("string_value_iid", U64, "opt"),
    },
    "InternedData": {
        2: ("event_names", "EventName", "rep"),
        3: ("debug_annotation_names", "DebugAnnotationName", "rep"),
        29: ("debug_annotation_string_values", "InternedString", "rep"),
    },
    "EventName": {1: ("iid", U64, "opt"), 2: ("name", STR, "opt")},
    "DebugAnnotationName": {1: ("iid", U64, "opt"), 2: ("name", STR, "opt")},
    "InternedString": {1: ("iid", U64, "opt"), 2: ("str", BYTES, "opt")},
}
ONEOFS = {
    "TracePacket": [{6, 11, 60}],  # the packet's data
    "TrackEvent": [{10}],           # name_iid | name
    "DebugAnnotation": [{1, 10}, {4, 6, 17}],  # name; value
}
WIRE_OF = {U64: 0, U32: 0, I64: 0, I32: 0, "bool": 0, F64: 1, STR: 2, BYTES: 2}


def wire_of(typ):
    if isinstance(typ, tuple):
        return 0  # enum
    return WIRE_OF.get(typ, 2)  # a message


def scalar_ok(typ, v):
    """Whether varint v is a value of typ as protobuf encodes it."""
    if typ == U32:
        return v < 1 << 32
    if typ == I32:  # negative int32s are sign-extended to 64 bits
        return v < 1 << 31 or (1 << 64) - (1 << 31) <= v < 1 << 64
    if isinstance(typ, tuple):
        return v in typ[1]
    return v < 1 << 64


def schema_walk(schema, oneofs, msg, data, where, packable=False):
    """Check one message (and what it nests) against the schema table;
    packable: repeated numbers may come packed (proto3)."""
    table = schema[msg]
    try:
        fs = fields(data)
    except (ValueError, IndexError) as e:
        problems.append("%s: %s: not protobuf (%s)" % (where, msg, e))
        return
    seen = {}
    for f, w, v in fs:
        seen[f] = seen.get(f, 0) + 1
        if f not in table:
            problems.append("%s: %s has no field %d (wire type %d)" % (where, msg, f, w))
            continue
        name, typ, how = table[f]
        at = "%s.%s" % (where, name)
        if packable and how == "rep" and w == 2 and wire_of(typ) == 0:
            continue
        if w != wire_of(typ):
            problems.append("%s: wire type %d, the schema's %s needs %d" % (at, w, typ, wire_of(typ)))
            continue
        if w == 0 and not scalar_ok(typ, v):
            problems.append("%s: %d is not a %s" % (at, v, typ[0] if isinstance(typ, tuple) else typ))
        elif typ == STR:
            try:
                v.decode("utf-8")
            except UnicodeDecodeError:
                problems.append("%s: not UTF-8: %r" % (at, v[:40]))
        elif w == 2 and typ != BYTES:
            schema_walk(schema, oneofs, typ, v, at, packable)
    for f, k in seen.items():
        if f in table and table[f][2] == "opt" and k > 1:
            problems.append("%s: %s.%s set %d times" % (where, msg, table[f][0], k))
    for group in oneofs.get(msg, []):
        both = [table[f][0] for f in group if f in seen]
        check(len(both) <= 1, "%s: %s: one of a oneof only: %r" % (where, msg, both))


def schema_proto(schema, package):
    """The table as a .proto (proto2), for protoc --decode to read the
    export with: a field it does not know, or of another wire type, comes
    out as a bare number."""
    out = ['syntax = "proto2";', "package %s;" % package]
    for msg, table in schema.items():
        out.append("message %s {" % msg)
        for f, (name, typ, how) in sorted(table.items()):
            t = "uint32" if isinstance(typ, tuple) else typ
            out.append("  %s %s %s = %d;" % ("repeated" if how == "rep" else "optional", t, name, f))
        out.append("}")
    return "\n".join(out) + "\n"


def perfetto(path, story):
    data = open(path, "rb").read()
    schema_walk(PERFETTO, ONEOFS, "Trace", data, "Trace")
    packets = [v for f, w, v in fields(data) if f == 1]
    check(len(packets) > 0 and all(f == 1 for f, w, v in fields(data)), "not a Trace of packets")
    tracks = {}
    names = {}
    ann_names = {}
    strings = {}  # interned debug-annotation strings (stacks)
    thread_descs = {}
    events = []  # (ts, order, track, type, name, flows, term)
    clock_default = []  # TracePacketDefaults.timestamp_clock_id
    for n, p in enumerate(packets):
        fs = fields(p)
        check(get(fs, 10) == [1], "packet %d: trusted_packet_sequence_id" % n)
        flags = get(fs, 13)
        check(n == 0 or flags in ([], [2]), "packet %d: sequence_flags %r (only the first clears)" % (n, flags))
        # TracePacketDefaults: set where the state is cleared, needed after
        for d in get(fs, 59):
            check(flags == [1], "packet %d: TracePacketDefaults without clearing the state" % n)
            clock_default = get(fields(d), 58)
        check(n == 0 or not clock_default or flags == [2],
              "packet %d: TracePacketDefaults in force without SEQ_NEEDS_INCREMENTAL_STATE" % n)
        if n == 0:
            check(flags == [1], "first packet must clear incremental state")
            cs = get(fs, 6)
            check(cs and get(fields(cs[0]), 2) == [3], "first packet: no ClockSnapshot with "
                  "primary_trace_clock MONOTONIC (3)")
        if get(fs, 8):
            check((get(fs, 58) or clock_default) == [3], "packet %d: timestamp without timestamp_clock_id 3" % n)
        for idata in get(fs, 12):
            for dn in get(fields(idata), 3):
                ann_names[get(fields(dn), 1)[0]] = get(fields(dn), 2)[0].decode("utf-8")
            for sv in get(fields(idata), 29):
                iid, text = get(fields(sv), 1)[0], get(fields(sv), 2)[0].decode("utf-8")
                check(iid not in strings, "string iid %d defined twice" % iid)
                check(text not in strings.values(), "string %r interned twice" % text)
                check("\\n" not in text and "\\x0a" not in text, "escaped newline in %r" % text)
                strings[iid] = text
            for en in get(fields(idata), 2):
                ef = fields(en)
                iid, name = get(ef, 1)[0], get(ef, 2)[0].decode("utf-8")
                check(iid not in names or names[iid] == name, "iid %d redefined" % iid)
                names[iid] = name
        for td in get(fs, 60):
            tf = fields(td)
            uuid = get(tf, 1)[0]
            name = get(tf, 2)
            pid = tid = None
            for th in get(tf, 4):
                name = get(fields(th), 5) or name
                pid, tid = get(fields(th), 1)[0], get(fields(th), 2)[0]
                key = (get(fields(th), 1)[0], get(fields(th), 2)[0])  # (pid, tid): several files
                thread_descs[key] = thread_descs.get(key, 0) + 1
            for pr in get(tf, 3):
                name = get(fields(pr), 6) or name
                pid = get(fields(pr), 1)[0]
            check(uuid != 0, "packet %d: track uuid 0 is the implicit global track" % n)
            check(uuid not in tracks or tracks[uuid]["pid"] == pid,
                  "packet %d: track %x described again as another thing" % (n, uuid))
            tracks[uuid] = {"name": name[0].decode("utf-8") if name else "",
                            "counter": bool(get(tf, 8)), "parent": get(tf, 5), "pid": pid, "tid": tid}
        for te in get(fs, 11):
            ef = fields(te)
            typ = get(ef, 9)[0]
            track = get(ef, 11)[0]
            check(track in tracks, "packet %d: track %x not described before use" % (n, track))
            iid = get(ef, 10)
            if iid:
                check(iid[0] in names, "packet %d: name iid %d not interned" % (n, iid[0]))
                check(flags == [2] or n == 0, "packet %d uses interned data without flag 2" % n)
            check(get(fs, 8) != [], "packet %d: a track event without a timestamp" % n)
            for da in get(ef, 4):
                af = fields(da)
                check(get(af, 10) or get(af, 1) and get(af, 1)[0] in ann_names,
                      "packet %d: annotation name not interned" % n)
                if get(af, 1):
                    check(flags == [2], "packet %d uses an interned annotation name without flag 2" % n)
                for v in get(af, 17):
                    check(v in strings, "packet %d: string iid %d not interned" % (n, v))
                    check(flags == [2], "packet %d uses an interned string without flag 2" % n)
            if typ == 4:
                check(get(ef, 30) != [] and tracks.get(track, {}).get("counter"), "counter event")
            events.append((get(fs, 8)[0], n, track, typ, names.get(iid[0]) if iid else None,
                           get(ef, 47), get(ef, 48)))
    for uuid, t in tracks.items():
        for parent in t["parent"]:
            check(parent in tracks, "track %x: parent %x unknown" % (uuid, parent))
    check(0 not in names and 0 not in ann_names and 0 not in strings, "an interned iid 0 (means unset)")
    events.sort()
    depth = {}
    flow_src, flow_dst = set(), set()
    for ts, n, track, typ, name, fl, term in events:
        if typ == 1:
            depth[track] = depth.get(track, 0) + 1
        elif typ == 2:
            depth[track] = depth.get(track, 0) - 1
            check(depth[track] >= 0, "slice end without begin on track %x at %d" % (track, ts))
        flow_src.update(fl)
        flow_dst.update(term)
    check(all(v == 0 for v in depth.values()), "unbalanced slices: %r" % depth)
    check(flow_src == flow_dst, "flows unpaired: %r / %r" % (flow_src, flow_dst))
    src_track = {f: tr for ts, n, tr, typ, name, fl, term in events for f in fl}
    for ts, n, tr, typ, name, fl, term in events:
        for f in term:
            check(src_track.get(f) != tr, "flow %d from a track to itself" % f)
    check(all(v == 1 for v in thread_descs.values()), "thread descriptors: %r" % thread_descs)
    if story == "many":
        lanes = [t for t in tracks.values() if t["name"].startswith("job ")]
        check(len(lanes) == 1, "600 tasks one after the other: %d tracks, not 1" % len(lanes))
    if story == "three":
        three_processes(tracks, events)
    if story == "story":
        tnames = {t["name"] for t in tracks.values()}
        check({"main", "worker"} <= tnames, "thread names: %r" % tnames)
        check(any(t["counter"] and t["name"] == "queue_depth" for t in tracks.values()), "counter track")
        evnames = {e[4] for e in events}
        check({"handle", "parse", "handoff", "running", "blocked: io", "parsed"} <= evnames,
              "event names: %r" % evnames)
        check(len(flow_src) >= 1, "no flow")


def three_processes(tracks, events):
    """tests/analysis/gen_multi's front (pid 100) -> api (200) -> back (300)."""
    def pid_of(uuid, seen=()):
        t = tracks.get(uuid)
        if t is None or uuid in seen:
            return None
        if t["pid"] is not None:
            return t["pid"]
        return pid_of(t["parent"][0], seen + (uuid,)) if t["parent"] else None
    procs = {t["pid"]: t["name"] for t in tracks.values() if t["pid"] is not None and not t["parent"]}
    for pid, svc in ((100, "front"), (200, "api"), (300, "back")):
        check(procs.get(pid) == svc, "process %d: %r, not %s" % (pid, procs.get(pid), svc))
        check(procs.get(pid + 4194304) == "tasks of " + svc, "no process \"tasks of %s\"" % svc)
    # a thread 7 in each file, each under its own process
    sevens = {t["pid"]: pid_of(t["parent"][0]) for u, t in tracks.items()
              if t["parent"] and t["tid"] == 7}
    check(sevens == {100: 100, 200: 200, 300: 300}, "threads 7 (pid: its process): %r" % sevens)
    span_pid = {name: pid_of(tr) for ts, n, tr, typ, name, fl, term in events if typ == 1}
    for name, pid in (("GET /", 100), ("handle", 200), ("query", 300)):
        check(span_pid.get(name) == pid, "span %s in process %r, not %d" % (name, span_pid.get(name), pid))
    check(span_pid.get("blocked: disk") == 300 + 4194304, "back's blocked: disk not in tasks of back")
    src = {f: pid_of(tr) for ts, n, tr, typ, name, fl, term in events if name == "request" for f in fl}
    dst = {f: pid_of(tr) for ts, n, tr, typ, name, fl, term in events if name == "request" for f in term}
    pairs = sorted((src[f], dst.get(f)) for f in src)
    check(pairs == [(100, 200), (200, 300)], "request arrows (from, to process): %r" % pairs)


# ---- pprof's profile.proto, as far as lotrace uses it ----
#
# From github.com/google/pprof's proto/profile.proto (proto3): every field
# `export --format pprof` writes.  proto3 packs repeated numbers by
# default and readers take both forms, so "rep" numbers may be either.
PPROF = {
    "Profile": {
        1: ("sample_type", "ValueType", "rep"),
        2: ("sample", "Sample", "rep"),
        3: ("mapping", "Mapping", "rep"),
        4: ("location", "Location", "rep"),
        5: ("function", "Function", "rep"),
        6: ("string_table", STR, "rep"),
        9: ("time_nanos", I64, "opt"),
        10: ("duration_nanos", I64, "opt"),
        11: ("period_type", "ValueType", "opt"),
        12: ("period", I64, "opt"),
        13: ("comment", I64, "rep"),
        14: ("default_sample_type", I64, "opt"),
    },
    "ValueType": {1: ("type", I64, "opt"), 2: ("unit", I64, "opt")},
    "Sample": {1: ("location_id", U64, "rep"), 2: ("value", I64, "rep"), 3: ("label", "Label", "rep")},
    "Label": {1: ("key", I64, "opt"), 2: ("str", I64, "opt"), 3: ("num", I64, "opt")},
    "Mapping": {
        1: ("id", U64, "opt"), 2: ("memory_start", U64, "opt"), 3: ("memory_limit", U64, "opt"),
        4: ("file_offset", U64, "opt"), 5: ("filename", I64, "opt"), 6: ("build_id", I64, "opt"),
        7: ("has_functions", "bool", "opt"), 8: ("has_filenames", "bool", "opt"),
        9: ("has_line_numbers", "bool", "opt"),
    },
    "Location": {1: ("id", U64, "opt"), 2: ("mapping_id", U64, "opt"), 3: ("address", U64, "opt"),
                 4: ("line", "Line", "rep")},
    "Line": {1: ("function_id", U64, "opt"), 2: ("line", I64, "opt")},
    "Function": {1: ("id", U64, "opt"), 2: ("name", I64, "opt"), 3: ("system_name", I64, "opt"),
                 4: ("filename", I64, "opt")},
}


def packed(fs, num):
    """The values of a repeated number field, packed or not."""
    out = []
    for f, w, v in fs:
        if f != num:
            continue
        if w == 2:
            i = 0
            while i < len(v):
                x, i = varint(v, i)
                out.append(x)
        else:
            out.append(v)
    return out


def pprof(path, story):
    import gzip
    with gzip.open(path, "rb") as f:
        data = f.read()
        schema_walk(PPROF, {}, "Profile", data, "Profile", packable=True)
    fs = fields(data)
    strs = [v.decode("utf-8", "replace") for v in get(fs, 6)]
    check(strs[:1] == [""], "string_table[0] is %r, not \"\"" % strs[:1])

    def s(i, what):
        check(0 <= i < len(strs), "%s: string index %d outside the table (%d)" % (what, i, len(strs)))
        return strs[i] if 0 <= i < len(strs) else None

    def ids(num, what):
        out = {}
        for m in get(fs, num):
            mf = fields(m)
            i = (get(mf, 1) or [0])[0]
            check(i != 0, "%s with id 0 (reserved)" % what)
            check(i not in out, "%s id %d twice" % (what, i))
            out[i] = mf
        return out
    maps, locs, fns = ids(3, "mapping"), ids(4, "location"), ids(5, "function")
    types = [(s(get(fields(t), 1)[0], "sample_type"), s(get(fields(t), 2)[0], "sample_type"))
             for t in get(fs, 1)]
    check(types and types[0][1] == "count", "sample_type[0] is not the count: %r" % types)
    for m in maps.values():
        s((get(m, 5) or [0])[0], "mapping filename")
        s((get(m, 6) or [0])[0], "mapping build_id")
    for i, l in locs.items():
        mid = (get(l, 2) or [0])[0]
        check(mid == 0 or mid in maps, "location %d: mapping %d unknown" % (i, mid))
        lines = get(l, 4)
        for ln in lines:
            fid = (get(fields(ln), 1) or [0])[0]
            check(fid in fns, "location %d: function %d unknown" % (i, fid))
    for f in fns.values():
        for k in (2, 3, 4):
            for v in get(f, k):
                s(v, "function")
    for n, smp in enumerate(get(fs, 2)):
        sf = fields(smp)
        for lid in packed(sf, 1):
            check(lid in locs, "sample %d: location %d unknown" % (n, lid))
        check(len(packed(sf, 2)) == len(types), "sample %d: %d values for %d sample types"
              % (n, len(packed(sf, 2)), len(types)))
        for lb in get(sf, 3):
            lf = fields(lb)
            s((get(lf, 1) or [0])[0], "label key")
            check(len(get(lf, 2)) + len(get(lf, 3)) == 1, "sample %d: a label with str and num" % n)
            for v in get(lf, 2):
                check(v != 0, "sample %d: label %r with the empty string (pprof drops it)"
                      % (n, s(get(lf, 1)[0], "label")))
                s(v, "label")
    for v in get(fs, 13) + get(fs, 14):
        s(v, "comment/default_sample_type")
    for pt in get(fs, 11):
        s(get(fields(pt), 1)[0], "period_type")


# ---- folded stacks, as flamegraph.pl reads them ----

def folded(path, story):
    """flamegraph.pl takes a line as /^(.*)\\s+?(\\d+(?:\\.\\d*)?)$/ (stack, count),
    and a stack that itself ends in whitespace and a number as a second
    count column (a differential graph); it splits frames on ';' and
    copies names into its SVG as they are (so UTF-8 only, no control
    bytes, or the SVG is not XML)."""
    import re
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("not UTF-8: %s" % e)
        text = data.decode("utf-8", "replace")
    check(text.endswith("\n") or text == "", "the last line is not ended")
    for n, line in enumerate(text.split("\n")[:-1], 1):
        m = re.match(r"^(.*) ([0-9]+)$", line)
        if not m:
            problems.append("line %d: not \"stack count\": %r" % (n, line))
            continue
        stack, count = m.groups()
        check(int(count) > 0, "line %d: count 0" % n)
        check(not re.search(r"\s\d+(\.\d*)?$", stack), "line %d: read as a differential: %r" % (n, line))
        check(all(f != "" for f in stack.split(";")), "line %d: an empty frame: %r" % (n, line))
        check(not re.search(r"[\x00-\x1f\x7f]", stack), "line %d: a control byte: %r" % (n, line))


def svg(path, story):
    root = ET.parse(path).getroot()
    check(root.tag.endswith("svg"), "root is not svg")
    texts = [t.text or "" for t in root.iter() if t.tag.endswith("text")]
    check(any("running" == t for t in texts), "no legend")
    check(any("events lost" in t for t in texts), "no header with the losses")
    if story == "story":
        check(any("main" in t for t in texts), "no row for main")
        check(any(r.tag.endswith("rect") and r.get("fill") == "#43a047" for r in root.iter()),
              "no running bar")


def otlp_json(path, story):
    d = load_strict(path)
    hexdigits = set("0123456789abcdef")

    def is_hex(s, n):
        return isinstance(s, str) and len(s) == n and set(s) <= hexdigits

    def attrs_ok(attrs, where):
        for a in attrs:
            v = a.get("value", {})
            check(isinstance(a.get("key"), str) and len(v) == 1, "%s attribute %r" % (where, a))
            if "intValue" in v:
                check(isinstance(v["intValue"], str) and int(v["intValue"]) is not None,
                      "%s intValue not a decimal string: %r" % (where, a))
            else:
                check(isinstance(v.get("stringValue"), str), "%s attribute value %r" % (where, a))
    check(list(d) == ["resourceSpans"], "top level: %r" % list(d))
    for rs in d["resourceSpans"]:
        attrs = rs["resource"]["attributes"]
        attrs_ok(attrs, "resource")
        check(any(a["key"] == "service.name" for a in attrs), "resource without service.name")
        check(len(rs["scopeSpans"]) == 1 and rs["scopeSpans"][0]["scope"]["name"] == "lotrace",
              "scopeSpans: %r" % rs["scopeSpans"])
        spans = rs["scopeSpans"][0]["spans"]
        check(len(spans) > 0, "a ResourceSpans without spans")
        for sp in spans:
            check(is_hex(sp["traceId"], 32) and is_hex(sp["spanId"], 16), "ids: %r" % sp)
            check("parentSpanId" not in sp or is_hex(sp["parentSpanId"], 16), "parent: %r" % sp)
            check(int(sp["startTimeUnixNano"]) <= int(sp["endTimeUnixNano"]), "times: %r" % sp)
            check(sp["kind"] == 1 and sp["status"]["code"] in (0, 2), "kind, status: %r" % sp)
            attrs_ok(sp["attributes"], "span")


def timeline_json(path, story):
    with open(path) as f:
        d = json.load(f)
    for k in ("start_ns", "end_ns", "lost", "damaged", "intervals", "rows_are"):
        check(k in d, "timeline --json lacks " + k)
    for iv in d.get("intervals", []):
        check(isinstance(iv["start_ns"], int) and iv["start_ns"] <= iv["end_ns"], "interval %r" % iv)
        check(iv["state"] in ("running", "runnable", "blocked"), "state %r" % iv["state"])
    if story == "story":
        check(any(iv["state"] == "blocked" and iv["reason"] == "io" for iv in d["intervals"]),
              "no blocked: io interval")


if sys.argv[1] == "perfetto-proto":  # the table as a .proto, for protoc --decode
    sys.stdout.write(schema_proto(PERFETTO, "perfetto.protos"))
    sys.exit(0)
kind, path = sys.argv[1], sys.argv[2]
story = sys.argv[3] if len(sys.argv) > 3 else None  # "story", "uptime"
{"chrome": chrome, "otlp-json": otlp_json, "perfetto": perfetto, "pprof": pprof, "folded": folded,
 "svg": svg, "timeline-json": timeline_json}[kind](path, story)
for p in problems[:20]:
    print("%s %s: %s" % (kind, path, p), file=sys.stderr)
sys.exit(1 if problems else 0)
