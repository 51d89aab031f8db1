/*
 * Built without frame pointers (-fomit-frame-pointer), like a distribution
 * binary: a sleep three calls deep.  tests/auto/unwind.sh records it with
 * frame-pointer walks (stacks stop early, and `lotrace info` says so) and
 * with LOTRACE_UNWIND=dwarf (the whole chain, from .eh_frame).
 */
/* whatever CFLAGS say (a sanitizer build's -fno-omit-frame-pointer comes
 * after the target's flags) */
#pragma GCC optimize("omit-frame-pointer")

#include <unistd.h>

__attribute__((noinline)) static void nofp_level3(int i)
{
	usleep(2000 + (useconds_t)i);
	__asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static void nofp_level2(int i)
{
	nofp_level3(i);
	__asm__ __volatile__("" ::: "memory");
}

__attribute__((noinline)) static void nofp_level1(int i)
{
	nofp_level2(i);
	__asm__ __volatile__("" ::: "memory");
}

int main(void)
{
	for (int i = 0; i < 20; i++)
		nofp_level1(i);
	return 0;
}
