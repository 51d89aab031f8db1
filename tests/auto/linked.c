/*
 * A program linked with liblotrace and also preloaded with the interposer
 * (tests/auto/process.sh): one recorder, one file, holding both the
 * program's own instant and the interposer's sleep block.
 */
#include <unistd.h>

#include <lotrace.h>

int main(void)
{
	lot_instant("linked");
	usleep(20000);
	return 0;
}
