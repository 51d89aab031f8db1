/*
 * The one list of event types.
 *
 * Everything that knows an event's shape is generated from LOT_EVENT_TYPES:
 * the writer's inline encoders (writer.h), the event-type table that every
 * file header carries (types.c), the reader's argument indices (reader.h),
 * its decoder's fast path (decode.c), and through the type table the payload
 * walker (payload.c: the recorder's scan of unsealed chunks, the reader's
 * validation) and `lotrace dump`'s printer, which prints any type from the
 * file's own table.  Adding an event type is one line here; writer and
 * reader cannot drift apart.  doc/FORMAT.md's table is checked against this
 * one (tests/format/test_doc_table).
 *
 * Each entry: E<arity>(CODE, name, flags, KIND, arg, KIND, arg, ...).
 *   CODE   the type byte on the wire; fixed forever within format major 1.
 *   flags  LOT_TIMED: the first varint after the type byte is the time delta
 *          from the previous timed event of the chunk, in units of
 *          2^time_shift ticks.  Definitions (string_def, stack_def,
 *          trace_def, trace_gen) are not timed and are not counted as
 *          events.
 *   KIND   how the argument is encoded (enum lot_kind below, FORMAT.md §5).
 *
 * A new minor version may add types (older readers skip them by the type
 * table); it may not add kinds or change a type's arguments.
 */
#ifndef LOT_FORMAT_EVENTS_H
#define LOT_FORMAT_EVENTS_H

/* Argument kinds: K(KIND, code, name, SHAPE), the name as `lotrace dump` and
 * the header's table print it; SHAPE how its bytes lie in the payload (the
 * walker, trace-format/payload.h, steps over any kind by it). */
#define LOT_KINDS(K) \
	K(UVAR, 1, uvar, VARINT)   /* unsigned LEB128 */ \
	K(SVAR, 2, svar, VARINT)   /* zigzag LEB128 */ \
	K(STRING, 3, string, REF)  /* uvarint string id defined earlier in the chunk; 0 = none */ \
	K(STACK, 4, stack, REF)    /* uvarint stack id defined earlier in the chunk; 0 = none */ \
	K(TRACE, 5, trace, REF)    /* uvarint trace-id ref defined earlier in the chunk; 0 = none */ \
	K(SPAN, 6, span, ID)       /* span id, as an id delta (below); 0 = none */ \
	K(BYTES, 7, bytes, BYTES)  /* uvarint length, then that many bytes */ \
	K(PCS, 8, pcs, PCS)        /* uvarint count, then count zigzag deltas between PCs */ \
	K(ID128, 9, id128, FIXED16) /* 16 raw bytes */ \
	K(VALUE, 10, value, VALUE) /* u8 tag: 0 then svarint, or 1 then BYTES */ \
	K(TASK, 11, task, ID)      /* task id, as an id delta (below); 0 = none */

/* The shapes: VARINT one LEB128; REF one LEB128, an id defined earlier;
 * ID an id delta (one LEB128, its absolute form then 8 bytes); BYTES a
 * LEB128 length then the bytes; PCS a LEB128 count then that many LEB128s;
 * FIXED16 16 bytes; VALUE a tag byte, then a LEB128 (tag 1: a length, then
 * the bytes). */
enum lot_shape {
	LOT_SHAPE_VARINT, LOT_SHAPE_REF, LOT_SHAPE_ID, LOT_SHAPE_BYTES,
	LOT_SHAPE_PCS, LOT_SHAPE_FIXED16, LOT_SHAPE_VALUE,
};

#define LOT_KIND_ENUM(kind, code, name, shape) LOT_KIND_##kind = code,
#define LOT_KIND_COUNT(kind, code, name, shape) +1
enum lot_kind {
	LOT_KINDS(LOT_KIND_ENUM)
	LOT_KIND_MAX_ = 0 LOT_KINDS(LOT_KIND_COUNT), /* codes are 1..MAX_, dense */
};
#undef LOT_KIND_ENUM
#undef LOT_KIND_COUNT

/*
 * Id deltas (SPAN and TASK, FORMAT.md §5.2): uvarint v.  0: none.  1: the id
 * follows as 8 little-endian bytes (an id unlike the chunk's recent ones: a
 * remote parent, another thread's span).  v >= 2: the id is prev +
 * unzigzag(v - 2) modulo 2^64, and becomes prev.  Each of the two kinds has
 * its own prev, which starts at the chunk header's span_base (SPAN) or task
 * (TASK).  A thread's own spans and its tasks so encode in one byte.
 */
#define LOT_ID_NONE 0
#define LOT_ID_ABSOLUTE 1
#define LOT_ID_DELTA0 2

#define LOT_TIMED 0x01

#define LOT_EVENT_TYPES(E0, E1, E2, E3, E4, E5) \
	/* definitions: make ids usable by later events of the same chunk */ \
	E2(0x01, string_def, 0, UVAR, id, BYTES, str) \
	E2(0x02, stack_def, 0, UVAR, id, PCS, pcs) \
	E2(0x03, trace_def, 0, UVAR, id, ID128, trace_id) \
	/* a trace id derived from the header's trace key and its root span (lib/trace_id.h) */ \
	E2(0x04, trace_gen, 0, UVAR, id, SPAN, root) \
	/* threads */ \
	E3(0x10, thread_begin, LOT_TIMED, UVAR, tid, STRING, name, TASK, task) \
	E0(0x11, thread_end, LOT_TIMED) \
	/* tasks: block, yield and end apply to the task running on this thread */ \
	E4(0x20, task_create, LOT_TIMED, TASK, task, TASK, parent, STRING, name, STACK, stack) \
	E1(0x21, task_start, LOT_TIMED, TASK, task) \
	E3(0x22, task_block, LOT_TIMED, STRING, reason, STRING, detail, STACK, stack) \
	E2(0x23, task_unblock, LOT_TIMED, TASK, task, STACK, stack) \
	E0(0x24, task_yield, LOT_TIMED) \
	E0(0x25, task_end, LOT_TIMED) \
	/* spans (W3C trace context) */ \
	E5(0x30, span_begin, LOT_TIMED, SPAN, span, SPAN, parent_span, TRACE, trace_id, STRING, name, STACK, stack) \
	E1(0x31, span_end, LOT_TIMED, SPAN, span) \
	E3(0x32, span_attr, LOT_TIMED, SPAN, span, STRING, key, VALUE, value) \
	/* instants, counters, losses, clock */ \
	E2(0x40, instant, LOT_TIMED, STRING, name, STACK, stack) \
	E2(0x41, counter, LOT_TIMED, STRING, name, SVAR, value) \
	/* a CPU-time sample of this thread (format 1.1): stack from the interrupted PC; \
	 * weight: timer expirations it stands for (1 + overruns) */ \
	E2(0x42, cpu_sample, LOT_TIMED, STACK, stack, UVAR, weight) \
	/* (format 1.2) this chunk's thread is the recorder's own (flusher, control): \
	 * reports leave it out; in every chunk of such a thread, after thread_begin */ \
	E0(0x43, tracer_thread, LOT_TIMED) \
	E1(0x50, lost, LOT_TIMED, UVAR, count) \
	E3(0x51, clock_sync, LOT_TIMED, UVAR, ticks, UVAR, mono_ns, UVAR, real_ns)

/* Codes as an enum: LOT_EV_task_start, ... */
#define LOT_EV_ENUM0(code, name, flags) LOT_EV_##name = code,
#define LOT_EV_ENUM1(code, name, flags, ...) LOT_EV_##name = code,
enum lot_event_code {
	LOT_EVENT_TYPES(LOT_EV_ENUM0, LOT_EV_ENUM1, LOT_EV_ENUM1, LOT_EV_ENUM1, LOT_EV_ENUM1, LOT_EV_ENUM1)
};
#undef LOT_EV_ENUM0
#undef LOT_EV_ENUM1

/* Definitions: untimed records that make ids usable by later events. */
#define LOT_IS_DEFINITION(code) ((code) >= LOT_EV_string_def && (code) <= LOT_EV_trace_gen)

/* Argument positions: LOT_ARG_span_begin_name == 3, ... (the reader's args[] index). */
#define LOT_ARG_IDX0(code, name, flags)
#define LOT_ARG_IDX1(code, name, flags, k1, a1) LOT_ARG_##name##_##a1 = 0,
#define LOT_ARG_IDX2(code, name, flags, k1, a1, k2, a2) \
	LOT_ARG_IDX1(code, name, flags, k1, a1) LOT_ARG_##name##_##a2 = 1,
#define LOT_ARG_IDX3(code, name, flags, k1, a1, k2, a2, k3, a3) \
	LOT_ARG_IDX2(code, name, flags, k1, a1, k2, a2) LOT_ARG_##name##_##a3 = 2,
#define LOT_ARG_IDX4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4) \
	LOT_ARG_IDX3(code, name, flags, k1, a1, k2, a2, k3, a3) LOT_ARG_##name##_##a4 = 3,
#define LOT_ARG_IDX5(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4, k5, a5) \
	LOT_ARG_IDX4(code, name, flags, k1, a1, k2, a2, k3, a3, k4, a4) LOT_ARG_##name##_##a5 = 4,
enum lot_arg_index {
	LOT_EVENT_TYPES(LOT_ARG_IDX0, LOT_ARG_IDX1, LOT_ARG_IDX2, LOT_ARG_IDX3, LOT_ARG_IDX4, LOT_ARG_IDX5)
};

#define LOT_MAX_ARGS 8 /* the most arguments any type (known or future) may have */

#endif
