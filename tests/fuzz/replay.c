/*
 * Runs the fuzz target over files named on the command line, without
 * libFuzzer: keeps the target building with any compiler and lets `make
 * check` (and its sanitizer builds) replay the seed corpus and any crash
 * inputs saved as regression cases.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, n;
		do {
			if (len == cap) {
				cap = cap ? 2 * cap : 65536;
				uint8_t *b = realloc(buf, cap);
				if (!b)
					abort();
				buf = b;
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return 0;
}
