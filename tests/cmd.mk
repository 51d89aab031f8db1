# tests for cmd (filled in by its owner)
