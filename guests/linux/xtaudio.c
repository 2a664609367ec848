// SPDX-License-Identifier: MIT
/*
 * xtaudio: plays or records the audio test sequence through a Linux guest's
 * sound card, for the audio e2e cases (docs/audio.md). Built static by
 * guests/linux/mkkit.py into the kit's initramfs, like xtperf.
 *
 * It goes through the kernel's OSS emulation (/dev/dsp, snd-pcm-oss) on top
 * of ALSA and the unmodified snd-ens1370 driver: the busybox initramfs has
 * no libasound for aplay/arecord, and the OSS calls need none.
 *
 *   xtaudio play SEED SAMPLES      44.1 kHz, 16-bit, stereo
 *   xtaudio capture SEED SAMPLES   checks the sequence bit-exact after the
 *                                  leading silence
 *
 * The sequence is guests/audio's (pattern.c): a 16-bit Galois LFSR
 * (taps 0xb400, period 65535) started at fold(SEED) ^ 0xace1; sample i has
 * the state as its left word and the state with its bytes swapped as its
 * right word; no sample is silent.
 *
 * Output: "xtaudio: played N samples in MS ms" or "xtaudio: captured N
 * samples bit-exact (skipped S silent) in MS ms" / "xtaudio: mismatch at
 * sample K: got 0x... want 0x..." and exit 0, 1 (mismatch, short read) or
 * 2 (usage, device).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/soundcard.h>
#include <time.h>
#include <unistd.h>

#define RATE 44100
#define CHUNK 4096	/* samples per read or write */

static uint16_t state;

static void seq_init(uint64_t seed)
{
	uint16_t f = (uint16_t)(seed ^ seed >> 16 ^ seed >> 32 ^ seed >> 48);

	state = (uint16_t)(f ^ 0xace1);
	if (!state)
		state = 0xace1;
}

/* The next sample as it sits in a 16-bit stereo buffer (little-endian words). */
static uint32_t seq_next(void)
{
	uint16_t s = state, r = (uint16_t)(s << 8 | s >> 8);

	state = (uint16_t)((s >> 1) ^ ((s & 1) ? 0xb400 : 0));
	return (uint32_t)s | (uint32_t)r << 16;
}

static uint64_t ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int open_dsp(int mode)
{
	int fd = open("/dev/dsp", mode), v;

	if (fd < 0) {
		printf("xtaudio: /dev/dsp: %s\n", strerror(errno));
		return -1;
	}
	v = AFMT_S16_LE;
	if (ioctl(fd, SNDCTL_DSP_SETFMT, &v) < 0 || v != AFMT_S16_LE)
		goto bad;
	v = 2;
	if (ioctl(fd, SNDCTL_DSP_CHANNELS, &v) < 0 || v != 2)
		goto bad;
	v = RATE;
	if (ioctl(fd, SNDCTL_DSP_SPEED, &v) < 0)
		goto bad;
	printf("xtaudio: /dev/dsp at %d Hz, 16-bit stereo\n", v);
	return fd;
bad:
	printf("xtaudio: /dev/dsp: format 44100 Hz 16-bit stereo refused (%s)\n", strerror(errno));
	close(fd);
	return -1;
}

static int play(uint64_t seed, unsigned long n)
{
	static uint32_t buf[CHUNK];
	uint64_t t0;
	int fd = open_dsp(O_WRONLY);

	if (fd < 0)
		return 2;
	seq_init(seed);
	t0 = ms_now();
	for (unsigned long done = 0; done < n;) {
		unsigned long k = n - done < CHUNK ? n - done : CHUNK;

		for (unsigned long i = 0; i < k; i++)
			buf[i] = seq_next();
		if (write(fd, buf, k * 4) != (ssize_t)(k * 4)) {
			printf("xtaudio: write: %s\n", strerror(errno));
			return 1;
		}
		done += k;
	}
	ioctl(fd, SNDCTL_DSP_SYNC, 0);	/* until the card played the last sample */
	printf("xtaudio: played %lu samples in %llu ms\n", n,
	       (unsigned long long)(ms_now() - t0));
	close(fd);
	return 0;
}

static int capture(uint64_t seed, unsigned long n)
{
	static uint32_t buf[CHUNK];
	unsigned long got = 0, skipped = 0, bad = 0, first_bad = 0;
	uint32_t first_got = 0, first_want = 0;
	uint64_t t0;
	int fd = open_dsp(O_RDONLY);

	if (fd < 0)
		return 2;
	seq_init(seed);
	t0 = ms_now();
	while (got < n) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r <= 0) {
			printf("xtaudio: read: %s after %lu samples\n", r ? strerror(errno) : "end",
			       got);
			return 1;
		}
		for (ssize_t i = 0; i < r / 4 && got < n; i++) {
			uint32_t want;

			if (!got && !buf[i]) {
				skipped++;	/* silence before the stream */
				continue;
			}
			want = seq_next();
			if (buf[i] != want && !bad++) {
				first_bad = got;
				first_got = buf[i];
				first_want = want;
			}
			got++;
		}
	}
	close(fd);
	if (bad) {
		printf("xtaudio: mismatch at sample %lu: got 0x%08x want 0x%08x (%lu of %lu)\n",
		       first_bad, first_got, first_want, bad, n);
		return 1;
	}
	printf("xtaudio: captured %lu samples bit-exact (skipped %lu silent) in %llu ms\n", n,
	       skipped, (unsigned long long)(ms_now() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n;
	uint64_t seed;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc != 4 || (strcmp(argv[1], "play") && strcmp(argv[1], "capture"))) {
		printf("usage: xtaudio play|capture SEED SAMPLES\n");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	n = strtoul(argv[3], NULL, 0);
	return !strcmp(argv[1], "play") ? play(seed, n) : capture(seed, n);
}
