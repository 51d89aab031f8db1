# tests for lib (filled in by its owner)
