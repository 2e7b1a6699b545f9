# SPDX-License-Identifier: GPL-2.0-only
#
# API reference of libaiot-accel, docs/api/*.md, generated from the
# kernel-doc comments of the public headers (include/aiot/*.h) by
# scripts/gen-api-ref (Python 3, standard library only).
#
#   make apidoc          regenerate docs/api/ (commit the result)
#   make apidoc-check    the checker's self-test, then fail if an AIOT_API
#                        function, one of its parameters or a documented
#                        member lacks its comment, a comment names what
#                        does not exist, an exported function escapes
#                        lib/libaiot-accel.map, or docs/api/ is stale.
#                        Part of `make check-host`.
.PHONY: apidoc apidoc-check

apidoc:
	scripts/gen-api-ref

apidoc-check:
	scripts/gen-api-ref --self-test
	scripts/gen-api-ref --check

check-host: apidoc-check
