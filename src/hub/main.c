/* xiaoan-hub: alert ingest and the live event stream. */
#include "xiaoan/hub.h"

#include <stdio.h>
#include <string.h>

#include "xiaoan/log.h"

int main(int argc, char **argv)
{
	struct hub h;
	char err[512];
	int rc = 0;

	memset(&h, 0, sizeof h);
	log_set_name("xiaoan-hub");
	switch (hub_config_load(&h.cfg, argc, argv, err, sizeof err)) {
	case HUB_CONFIG_EXIT:
		hub_config_free(&h.cfg);
		return 0;
	case HUB_CONFIG_ERROR:
		fprintf(stderr, "xiaoan-hub: %s\n", err);
		hub_config_free(&h.cfg);
		return 2;
	case HUB_CONFIG_OK:
		break;
	}
	log_set_level(h.cfg.log_level);
	if (hub_start(&h) == 0) {
		hub_run(&h);
		log_info("stopped");
	} else {
		rc = 1;
	}
	hub_stop(&h);
	hub_config_free(&h.cfg);
	return rc;
}
