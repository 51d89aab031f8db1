# tests/: each area's tests describe themselves in their own fragment.
include tests/format.mk
include tests/cmd.mk
include tests/tracer.mk
include tests/lib.mk
