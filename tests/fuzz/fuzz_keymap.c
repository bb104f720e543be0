/* fuzz_keymap.c — a user's keymap file through keymap_load_string() on top
 * of a few bindings. A refused file leaves the keymap as it was (all or
 * nothing) with a "file:line: message" error; an accepted one answers every
 * lookup and help query. Key names: every key the console can receive is
 * named in clean text that parses back to the same key, and a name the
 * parser accepts names its key canonically. */
#include "fuzz.h"

#include <curses.h>
#include <stdbool.h>
#include <string.h>

#include "xiaoan/action.h"
#include "xiaoan/keymap.h"
#include "xiaoan/text.h"

#define FUZZ_KEYMAP_NAME "fuzz.keys"
#define FUZZ_KEYMAP_HELP 128

static const char fuzz_keymap_base[] = "bind generic q quit\n"
				       "bind generic <Enter> open\n"
				       "bind dispatch s sign\n"
				       "unbind dispatch q\n";

/* Everything the help screens show, as one string to compare. */
static char *fuzz_keymap_snapshot(const struct keymap *km)
{
	struct keymap_help_line lines[FUZZ_KEYMAP_HELP];
	struct sbuf sb;

	sbuf_init(&sb);
	for (int c = 0; c < KM_COUNT; c++) {
		size_t n = keymap_help(km, (enum keymap_context)c, lines, FUZZ_KEYMAP_HELP);
		FUZZ_CHECK(n < ACTION_COUNT);
		if (n > FUZZ_KEYMAP_HELP)
			n = FUZZ_KEYMAP_HELP;
		for (size_t i = 0; i < n; i++) {
			FUZZ_CHECK(fuzz_terminated(lines[i].keys, sizeof lines[i].keys));
			FUZZ_CHECK(text_is_clean(lines[i].keys, strlen(lines[i].keys)));
			FUZZ_CHECK(lines[i].action > ACTION_NONE && lines[i].action < ACTION_COUNT);
			sbuf_addf(&sb, "%d %s %s\n", c, action_name(lines[i].action), lines[i].keys);
		}
	}
	return sbuf_detach(&sb);
}

static int fuzz_keymap_normalize(int key)
{
	if (key == '\r' || key == (KEYMAP_FKEY | KEY_ENTER))
		return '\n';
	if (key == 127)
		return KEYMAP_FKEY | KEY_BACKSPACE;
	return key;
}

/* What get_wch() can hand the console: a code point or a function key. */
static bool fuzz_keymap_receivable(int key)
{
	if (key & KEYMAP_FKEY) {
		int code = key & ~KEYMAP_FKEY;
		return key > 0 && code >= KEY_MIN && code <= KEY_MAX;
	}
	return key >= 0 && key <= 0x10FFFF && !(key >= 0xD800 && key <= 0xDFFF);
}

static void fuzz_keymap_key(int key)
{
	char name[KEYMAP_KEY_NAME_MAX];

	size_t len = keymap_key_name(key, name, sizeof name);
	FUZZ_CHECK(len < sizeof name && strlen(name) == len);
	FUZZ_CHECK(text_is_clean(name, len));
	if (fuzz_keymap_receivable(key))
		FUZZ_CHECK(keymap_key_parse(name) == fuzz_keymap_normalize(key));
}

static void fuzz_keymap_names(const uint8_t *data, size_t size, const char *text)
{
	int key = 0;

	memcpy(&key, data, size < sizeof key ? size : sizeof key);
	fuzz_keymap_key(key);
	fuzz_keymap_key(key & (KEYMAP_FKEY | 0x1FFFFF));
	fuzz_keymap_key(KEYMAP_FKEY | (key & 0x1FF));
	/* The whole input as one key name (most are not). */
	if (size <= 32) {
		int k = keymap_key_parse(text);
		if (k >= 0) {
			char name[KEYMAP_KEY_NAME_MAX];
			keymap_key_name(k, name, sizeof name);
			FUZZ_CHECK(keymap_key_parse(name) == k);
		}
	}
}

static void fuzz_keymap(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char err[512];
	struct keymap *km = keymap_new();

	FUZZ_CHECK(keymap_load_string(km, "base.keys", fuzz_keymap_base, err, sizeof err) == 0);
	char *before = fuzz_keymap_snapshot(km);
	memset(err, 0, sizeof err);
	if (keymap_load_string(km, FUZZ_KEYMAP_NAME, text, err, sizeof err) != 0) {
		FUZZ_CHECK(fuzz_terminated(err, sizeof err));
		FUZZ_CHECK(strncmp(err, FUZZ_KEYMAP_NAME ":", strlen(FUZZ_KEYMAP_NAME ":")) == 0);
		char *after = fuzz_keymap_snapshot(km);
		FUZZ_CHECK(strcmp(before, after) == 0);
		free(after);
	} else {
		free(fuzz_keymap_snapshot(km));
		for (int c = 0; c < KM_COUNT; c++)
			for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
				int key;
				memcpy(&key, data + i, sizeof key);
				enum action a = keymap_lookup(km, (enum keymap_context)c, key);
				FUZZ_CHECK((unsigned)a < ACTION_COUNT);
			}
	}
	fuzz_keymap_names(data, size, text);
	free(before);
	keymap_free(km);
	free(text);
}

FUZZ_ENTRY(fuzz_keymap)
