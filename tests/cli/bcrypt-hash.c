// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bcrypt-hash PASSWORD: a bcrypt hash of PASSWORD ($2b$, cost 10), as
 * htpasswd -B makes, for the --web-config test's basic_auth_users.
 */
#include <crypt.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct crypt_data cd;
	const char *h;

	if (argc != 2) {
		fprintf(stderr, "usage: bcrypt-hash PASSWORD\n");
		return 2;
	}
	memset(&cd, 0, sizeof(cd));
	if (!crypt_gensalt_rn("$2b$", 10, NULL, 0, cd.setting,
			      sizeof(cd.setting)))
		return 1;
	h = crypt_r(argv[1], cd.setting, &cd);
	if (!h || h[0] != '$')
		return 1;
	puts(h);
	return 0;
}
