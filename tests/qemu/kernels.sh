# Sourced: which Debian kernels the tests use, found by querying apt.

# Newest "6.12.N+deb12-amd64" release that has an unsigned image.
aiot_kver_612() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
		awk '{print $1}' | sed -e 's/^linux-image-//' -e 's/-unsigned$//' |
		sort -V | tail -n1
}

# The ABI that Debian's linux-image-amd64 meta package (6.1 LTS) points at.
aiot_kver_61() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.[0-9]*-[0-9]*-amd64\).*/\1/p' |
		head -n1
}

# Newest Debian arm64 6.12 release ("6.12.N+deb12-arm64") with an unsigned
# image: the arm64 guest's (tests/qemu/arm64-root.sh). Needs arm64 as a
# foreign architecture in apt (install-deps.sh adds it).
aiot_kver_612_arm64() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$' |
		awk '{print $1}' | sed -e 's/^linux-image-//' -e 's/-unsigned$//' |
		sort -V | tail -n1
}
