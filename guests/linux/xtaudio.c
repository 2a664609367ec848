// SPDX-License-Identifier: MIT
/*
 * xtaudio: the audio test sequence for the Linux guests of the audio e2e
 * cases (docs/audio.md). Built static by guests/linux/mkkit.py into the
 * kit's initramfs, like xtperf.
 *
 * e2e audio_linux plays and records with Debian's own aplay and arecord
 * (alsa-utils, on libasound and the unmodified snd-ens1370 driver); xtaudio
 * writes what aplay plays and checks what arecord recorded:
 *
 *   xtaudio wav SEED SAMPLES FILE     the sequence as a WAV file (RIFF,
 *                                     PCM, 44.1 kHz, 16-bit, stereo)
 *   xtaudio check SEED SAMPLES FILE   finds the sequence in a recorded WAV
 *                                     file of that format, bit-exact after
 *                                     the leading silence (the time before
 *                                     the player started and the driver's
 *                                     start offset)
 *
 * It can also play and record itself, through the kernel's OSS emulation
 * (/dev/dsp, snd-pcm-oss) on the same driver, needing no libasound:
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
 * Output: "xtaudio: wrote N samples to FILE (B bytes)"; "xtaudio: captured
 * N samples bit-exact (skipped S silent) in FILE: R recorded, A after them,
 * L of those not silent"; "xtaudio: played N samples in MS ms" or
 * "xtaudio: captured N samples bit-exact (skipped S silent) in MS ms"; or
 * "xtaudio: mismatch at sample K: got 0x... want 0x..." and the like. Exit
 * 0, 1 (mismatch, short or silent recording, write error) or 2 (usage,
 * device, a file that is not such a WAV file).
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

/* The canonical 44-byte header of a PCM WAV file. */
static void wav_header(uint8_t *h, uint32_t data_bytes)
{
	static const uint8_t fmt[16] = {
		1, 0,			/* PCM */
		2, 0,			/* channels */
		0x44, 0xac, 0, 0,	/* 44100 Hz */
		0x10, 0xb1, 2, 0,	/* 176400 bytes/s */
		4, 0,			/* bytes per sample */
		16, 0,			/* bits per channel */
	};
	uint32_t riff = 36 + data_bytes;

	memcpy(h, "RIFF", 4);
	memcpy(h + 4, &riff, 4);
	memcpy(h + 8, "WAVEfmt \x10\0\0\0", 12);
	memcpy(h + 20, fmt, 16);
	memcpy(h + 36, "data", 4);
	memcpy(h + 40, &data_bytes, 4);
}

static int write_wav(uint64_t seed, unsigned long n, const char *path)
{
	static uint32_t buf[CHUNK];
	uint8_t h[44];
	FILE *f = fopen(path, "wb");

	if (!f) {
		printf("xtaudio: %s: %s\n", path, strerror(errno));
		return 2;
	}
	wav_header(h, (uint32_t)(n * 4));
	fwrite(h, 1, sizeof(h), f);
	seq_init(seed);
	for (unsigned long done = 0; done < n;) {
		unsigned long k = n - done < CHUNK ? n - done : CHUNK;

		for (unsigned long i = 0; i < k; i++)
			buf[i] = seq_next();
		fwrite(buf, 4, k, f);
		done += k;
	}
	if (ferror(f) | fclose(f)) {
		printf("xtaudio: %s: write failed\n", path);
		return 1;
	}
	printf("xtaudio: wrote %lu samples to %s (%lu bytes)\n", n, path, n * 4 + sizeof(h));
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The whole file in a malloc'd buffer; its size in *len. */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, r;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap) {
			uint8_t *nb = realloc(b, cap = cap ? cap * 2 : 1 << 20);

			if (!nb) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + *len, 1, cap - *len, f);
		*len += r;
	} while (r);
	fclose(f);
	return b;
}

/*
 * The samples of a recorded WAV file (RIFF chunks: "fmt " must say PCM,
 * 2 channels, 44100 Hz, 16 bits; "data" holds the samples): a pointer into
 * buf and their count, or NULL after saying why. A data chunk longer than
 * the file (a recorder stopped before it could fix its header) ends with
 * the file.
 */
static const uint32_t *wav_samples(const char *path, const uint8_t *buf, size_t len,
				   unsigned long *count)
{
	size_t at = 12;
	int fmt_ok = 0;

	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
		printf("xtaudio: %s: not a RIFF WAVE file\n", path);
		return NULL;
	}
	while (at + 8 <= len) {
		uint32_t size = le32(buf + at + 4);
		const uint8_t *body = buf + at + 8;
		size_t avail = len - at - 8;

		if (!memcmp(buf + at, "fmt ", 4) && size >= 16 && avail >= 16) {
			fmt_ok = le16(body) == 1 && le16(body + 2) == 2 && le32(body + 4) == RATE &&
				 le16(body + 14) == 16;
			if (!fmt_ok) {
				printf("xtaudio: %s: format %u, %u channels, %u Hz, %u bits; want PCM "
				       "(1), 2 channels, %d Hz, 16 bits\n", path, le16(body),
				       le16(body + 2), le32(body + 4), le16(body + 14), RATE);
				return NULL;
			}
		} else if (!memcmp(buf + at, "data", 4)) {
			if (!fmt_ok) {
				printf("xtaudio: %s: no fmt chunk before the data\n", path);
				return NULL;
			}
			*count = (size < avail ? size : avail) / 4;
			return (const uint32_t *)(const void *)body;
		}
		at += 8 + (size_t)size + (size & 1);
	}
	printf("xtaudio: %s: no data chunk\n", path);
	return NULL;
}

static int check_wav(uint64_t seed, unsigned long n, const char *path)
{
	unsigned long total = 0, skipped = 0, bad = 0, first_bad = 0, after, loud = 0, k;
	uint32_t first_got = 0, first_want = 0;
	size_t len;
	uint8_t *buf = slurp(path, &len);
	const uint32_t *s;
	int rc = 0;

	if (!buf) {
		printf("xtaudio: %s: %s\n", path, strerror(errno));
		return 2;
	}
	s = wav_samples(path, buf, len, &total);
	if (!s) {
		free(buf);
		return 2;
	}
	while (skipped < total && !s[skipped])
		skipped++;	/* silence before the stream */
	if (skipped == total) {
		printf("xtaudio: %s: all %lu recorded samples are silent\n", path, total);
		free(buf);
		return 1;
	}
	seq_init(seed);
	for (k = 0; k < n && skipped + k < total; k++) {
		uint32_t want = seq_next(), got;

		memcpy(&got, s + skipped + k, 4);
		if (got != want && !bad++) {
			first_bad = k;
			first_got = got;
			first_want = want;
		}
	}
	if (bad) {
		printf("xtaudio: mismatch at sample %lu: got 0x%08x want 0x%08x (%lu of %lu, "
		       "skipped %lu silent)\n", first_bad, first_got, first_want, bad, k, skipped);
		rc = 1;
	} else if (k < n) {
		printf("xtaudio: %s: only %lu of %lu samples recorded after %lu silent (%lu "
		       "recorded)\n", path, k, n, skipped, total);
		rc = 1;
	} else {
		/* Informative: what followed (aplay pads its last period with
		 * silence; a driver stopping late may add more). */
		after = total - skipped - n;
		for (unsigned long i = 0; i < after; i++)
			loud += s[skipped + n + i] != 0;
		printf("xtaudio: captured %lu samples bit-exact (skipped %lu silent) in %s: %lu "
		       "recorded, %lu after them, %lu of those not silent\n", n, skipped, path,
		       total, after, loud);
	}
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long n;
	uint64_t seed;
	int file = argc == 5 && (!strcmp(argv[1], "wav") || !strcmp(argv[1], "check"));

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!file && (argc != 4 || (strcmp(argv[1], "play") && strcmp(argv[1], "capture")))) {
		printf("usage: xtaudio wav|check SEED SAMPLES FILE\n"
		       "       xtaudio play|capture SEED SAMPLES\n");
		return 2;
	}
	seed = strtoull(argv[2], NULL, 0);
	n = strtoul(argv[3], NULL, 0);
	if (file)
		return !strcmp(argv[1], "wav") ? write_wav(seed, n, argv[4]) :
						 check_wav(seed, n, argv[4]);
	return !strcmp(argv[1], "play") ? play(seed, n) : capture(seed, n);
}
