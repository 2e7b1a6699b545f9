#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The TLS material of the guest suite aiotd (tests/integration/aiotd.c),
# generated fresh by `make` into DIR: a test CA, the broker's certificate
# for 127.0.0.1, a client certificate of that CA, and a "rogue" CA with a
# client certificate of its own (what the broker must refuse).
set -e
dir=$1
[ -n "$dir" ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$dir"
cd "$dir"
days=3650
ca() {	# NAME SUBJECT
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" \
		-days $days -subj "$2" 2>/dev/null
}
leaf() {	# NAME CA SUBJECT [EXT]
	openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" \
		-subj "$3" 2>/dev/null
	if [ -n "$4" ]; then
		printf '%s\n' "$4" > "$1.ext"
		openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
			-days $days -out "$1.crt" -extfile "$1.ext" 2>/dev/null
	else
		openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial \
			-days $days -out "$1.crt" 2>/dev/null
	fi
	rm -f "$1.csr" "$1.ext"
}
ca ca "/CN=aiotd test CA"
ca rogue-ca "/CN=aiotd rogue CA"
leaf server ca "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1,DNS:localhost"
leaf client ca "/CN=t1"
leaf rogue-client rogue-ca "/CN=t1"
chmod 0600 ./*.key
