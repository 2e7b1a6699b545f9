#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare the devicetree properties a driver reads with the bindings.

Usage: driver-props.py DRIVER_DIR BINDINGS_DIR

Every property the driver's *.c files read (device_property_*(),
fwnode_property_*(), of_property_*() with a string literal name) must be
described by a binding, and every property a binding describes, but
compatible, must be read by the driver. Exit 1 on a difference.
"""
import glob
import os
import re
import sys

import yaml

CALL = re.compile(r'\b(?:device|fwnode|of)_property_[a-z0-9_]+\s*\(\s*[^,()]+,\s*"([^"]+)"')


def main():
    src, bdir = sys.argv[1], sys.argv[2]
    read = set()
    for c in sorted(glob.glob(os.path.join(src, "*.c"))):
        with open(c, encoding="utf-8") as f:
            read.update(CALL.findall(f.read()))
    described = set()
    for y in sorted(glob.glob(os.path.join(bdir, "*.yaml"))):
        with open(y, encoding="utf-8") as f:
            described.update(yaml.safe_load(f).get("properties", {}))
    bad = False
    for p in sorted(read - described):
        print("check-bindings: the driver reads %s, which no binding describes" % p,
              file=sys.stderr)
        bad = True
    for p in sorted(described - read - {"compatible"}):
        print("check-bindings: a binding describes %s, which the driver does not read" % p,
              file=sys.stderr)
        bad = True
    if not read:
        print("check-bindings: found no property read in %s" % src, file=sys.stderr)
        bad = True
    if not bad:
        print("check-bindings: the driver reads exactly the properties the bindings describe: "
              + ", ".join(sorted(read)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
