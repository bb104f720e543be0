/* xiaoan — the full-screen dispatcher console. */
#include "xiaoan/console.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xiaoan/cloop.h"
#include "xiaoan/conf.h"
#include "xiaoan/i18n.h"
#include "xiaoan/palette.h"

struct opts {
	char *db, *hub, *theme, *keys, *notify;
};

static void usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: xiaoan [options]\n"
		  "The campus-safety dispatch console.\n"
		  "\n"
		  "  --db CONNINFO        database connection (default: libpq's PG* variables)\n"
		  "  --hub HOST:PORT      the hub's live stream (default 127.0.0.1:8460)\n"
		  "  --theme NAME|FILE    default, light, high-contrast, mono, or a theme file\n"
		  "  --keys FLAVOUR       default, vi or emacs key bindings\n"
		  "  --notify MODE        auto, desktop, bell, flash or off\n"
		  "  --help               show this help\n"
		  "  --version            print the version\n"
		  "\n"
		  "Settings may also be put in $XDG_CONFIG_HOME/xiaoan/config as key = value\n"
		  "lines (db, hub, theme, keys, notify); the command line wins.\n"));
}

static void opt_set(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int conf_key(void *ctx, const char *key, const char *value, char *err, size_t errlen)
{
	struct opts *o = ctx;

	if (strcmp(key, "db") == 0)
		opt_set(&o->db, value);
	else if (strcmp(key, "hub") == 0)
		opt_set(&o->hub, value);
	else if (strcmp(key, "theme") == 0)
		opt_set(&o->theme, value);
	else if (strcmp(key, "keys") == 0)
		opt_set(&o->keys, value);
	else if (strcmp(key, "notify") == 0)
		opt_set(&o->notify, value);
	else {
		snprintf(err, errlen, _("unknown setting \"%s\" (db, hub, theme, keys, notify)"), key);
		return -1;
	}
	return 0;
}

static int load_config(struct opts *o)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char path[4096], err[512];
	int rc;

	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/xiaoan/config", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/xiaoan/config", home);
	else
		return 0;
	rc = conf_load(path, conf_key, o, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "xiaoan: %s\n", err);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *cli)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },     { "hub", required_argument, NULL, 'H' },
		{ "theme", required_argument, NULL, 't' },  { "keys", required_argument, NULL, 'k' },
		{ "keymap", required_argument, NULL, 'k' }, { "notify", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			opt_set(&cli->db, optarg);
			break;
		case 'H':
			opt_set(&cli->hub, optarg);
			break;
		case 't':
			opt_set(&cli->theme, optarg);
			break;
		case 'k':
			opt_set(&cli->keys, optarg);
			break;
		case 'n':
			opt_set(&cli->notify, optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("xiaoan %s\n", XIAOAN_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("xiaoan: unexpected argument \"%s\"\n"), argv[optind]);
		return -1;
	}
	return 0;
}

static void opts_merge(struct opts *o, struct opts *cli)
{
	char **fo[] = { &o->db, &o->hub, &o->theme, &o->keys, &o->notify };
	char **fc[] = { &cli->db, &cli->hub, &cli->theme, &cli->keys, &cli->notify };

	for (size_t i = 0; i < XA_ARRAY_LEN(fo); i++)
		if (*fc[i]) {
			free(*fo[i]);
			*fo[i] = *fc[i];
			*fc[i] = NULL;
		}
}

static void opts_free(struct opts *o)
{
	free(o->db);
	free(o->hub);
	free(o->theme);
	free(o->keys);
	free(o->notify);
}

static int setup_look(const struct opts *o)
{
	char err[512];
	const char *th = o->theme ? o->theme : "default";
	int rc;

	if (strchr(th, '/') || strstr(th, ".theme"))
		rc = theme_load_file(&app->theme, th, err, sizeof err);
	else
		rc = theme_load_builtin(&app->theme, th, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "xiaoan: %s\n", err);
		return -1;
	}
	app->km = keymap_load_default(o->keys ? o->keys : "default", err, sizeof err);
	if (!app->km) {
		fprintf(stderr, "xiaoan: %s\n", err);
		return -1;
	}
	if (keymap_load_user(app->km, err, sizeof err) < 0) {
		fprintf(stderr, "xiaoan: %s\n", err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct app the_app;
	struct opts o = { 0 }, cli = { 0 };
	const char *lang;
	int nm, rc = 1;

	i18n_init(argv[0]);
	app = &the_app;
	model_init(&app->m);
	if (parse_args(argc, argv, &cli) != 0) {
		opts_free(&cli);
		return 2;
	}
	if (load_config(&o) != 0) {
		opts_free(&cli);
		opts_free(&o);
		return 2;
	}
	opts_merge(&o, &cli);
	nm = notify_mode_parse(o.notify ? o.notify : "auto");
	if (nm < 0) {
		fprintf(stderr, _("xiaoan: unknown notify mode \"%s\" (auto, desktop, bell, flash, off)\n"), o.notify);
		opts_free(&o);
		return 2;
	}
	if (setup_look(&o) != 0) {
		opts_free(&o);
		keymap_free(app->km);
		return 2;
	}
	/* Type names follow the language the messages are shown in. */
	lang = getenv("LANGUAGE");
	if (!lang || !*lang)
		lang = setlocale(LC_MESSAGES, NULL);
	app->m.zh = lang && strncmp(lang, "zh", 2) == 0;
	app->colour = !palette_no_color_env();
	app->hub_addr = xstrdup(o.hub ? o.hub : "127.0.0.1:8460");
	app->db_conninfo = xstrdup(o.db ? o.db : "");

	if (cloop_init() != 0) {
		fprintf(stderr, "%s", _("xiaoan: the event loop could not start\n"));
		goto out;
	}
	if (ui_init() != 0)
		goto out_loop;
	app->notify = notify_setup((enum notify_mode)nm);
	app_start();
	if (!app->cs) {
		ui_fini();
		fprintf(stderr, _("xiaoan: bad hub address \"%s\" (HOST:PORT)\n"), app->hub_addr);
		goto out_app;
	}
	app->redraw = RD_ALL;
	ui_render();
	while (!app->quit) {
		cloop_turn();
		if (!app->quit)
			ui_render();
	}
	rc = 0;
	ui_fini();
out_app:
	app_stop();
	notify_shutdown();
out_loop:
	ui_fini();
	cloop_fini();
out:
	keymap_free(app->km);
	opts_free(&o);
	return rc;
}
