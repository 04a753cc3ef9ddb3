#!/usr/bin/env bash
# Checks the packages in dist/ with the packaging tools: what each installs, the maintainer
# scripts, the conffile, the desktop entry, and the systemd unit (systemd-analyze verify).
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-dist}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "check-packages: $*" >&2; exit 1; }
has() { grep -qxF -- "$2" <<<"$1" || fail "$3: missing $2"; }

SDEB=$DIST/hotline-server_${VERSION}_amd64.deb
SRPM=$DIST/hotline-server-${VERSION}-1.x86_64.rpm
DDEB=$DIST/hotline-desk_${VERSION}_amd64.deb
DRPM=$DIST/hotline-desk-${VERSION}-1.x86_64.rpm
for f in "$SDEB" "$SRPM" "$DDEB" "$DRPM"; do [ -s "$f" ] || fail "$f missing"; done

# The server's .deb: files, conffile, maintainer scripts that parse and do their job.
# `dpkg-deb -c` lists tar's columns; the path is all after the fifth (names may hold spaces).
debfiles() { dpkg-deb -c "$1" | sed -E 's/^([^ ]+ +){5}//; s|^\./||; s|^|/|; s|/$||'; }
files=$(debfiles "$SDEB")
for p in /usr/bin/hotline-server /usr/bin/hotline /usr/lib/systemd/system/hotline-server.service \
         /etc/hotline/server.toml /var/lib/hotline; do has "$files" "$p" "$SDEB"; done
dpkg-deb -f "$SDEB" Package Version Depends | grep -q "^Depends: adduser" || fail "$SDEB: Depends"
mkdir "$WORK/ctl" && dpkg-deb -e "$SDEB" "$WORK/ctl"
has "$(cat "$WORK/ctl/conffiles")" /etc/hotline/server.toml "$SDEB conffiles"
for s in postinst prerm postrm; do
  [ -x "$WORK/ctl/$s" ] || fail "$SDEB: $s not executable"
  sh -n "$WORK/ctl/$s" || fail "$SDEB: $s does not parse"
done
grep -q 'adduser --system --group' "$WORK/ctl/postinst" || fail "postinst: no system user"
grep -q 'install -d -o hotline -g hotline -m 0750 /var/lib/hotline' "$WORK/ctl/postinst" || fail "postinst: data folder"
grep -q 'rm -rf' "$WORK/ctl/postrm" && fail "postrm must never remove the centre's data"

# The server's .rpm: the same files, the account made before install, the conffile kept.
rfiles=$(rpm -qlp "$SRPM" 2>/dev/null)
for p in /usr/bin/hotline-server /usr/bin/hotline /usr/lib/systemd/system/hotline-server.service \
         /etc/hotline/server.toml /var/lib/hotline; do has "$rfiles" "$p" "$SRPM"; done
rpm -qp --configfiles "$SRPM" 2>/dev/null | grep -qx /etc/hotline/server.toml || fail "$SRPM: conffile"
rpm -qp --scripts "$SRPM" 2>/dev/null | grep -q 'useradd -r -g hotline' || fail "$SRPM: no account"
rpm -qlvp "$SRPM" 2>/dev/null | grep -E ' hotline +hotline .* /var/lib/hotline$' >/dev/null || fail "$SRPM: data folder owner"

# The unit file, verified against the unpacked package and the system's own targets.
ROOT=$WORK/root
mkdir -p "$ROOT" && dpkg-deb -x "$SDEB" "$ROOT"
cp -n /lib/systemd/system/*.target "$ROOT/usr/lib/systemd/system/" 2>/dev/null || true
systemd-analyze verify --man=no --root="$ROOT" /usr/lib/systemd/system/hotline-server.service \
  || fail "systemd-analyze verify"
# The packed server runs, and tells how to call it.
set +e; "$ROOT/usr/bin/hotline-server" >/dev/null 2>"$WORK/usage"; rc=$?; set -e
[ "$rc" = 2 ] && grep -q -- '--config' "$WORK/usage" || fail "packed hotline-server does not run"

# The desk's packages: the program, its desktop entry (in Chinese too), its icons.
for pkg in "$DDEB" "$DRPM"; do
  if [[ $pkg == *.deb ]]; then
    list=$(debfiles "$pkg")
  else
    list=$(rpm -qlp "$pkg" 2>/dev/null)
  fi
  has "$list" /usr/bin/hotline-desk "$pkg"
  grep -q '^/usr/share/applications/.*\.desktop$' <<<"$list" || fail "$pkg: no desktop entry"
  grep -q '^/usr/share/icons/hicolor/128x128/apps/hotline-desk.png$' <<<"$list" || fail "$pkg: no icon"
done
DROOT=$WORK/desk
mkdir -p "$DROOT" && dpkg-deb -x "$DDEB" "$DROOT"
entry=$(cat "$DROOT"/usr/share/applications/*.desktop)
grep -qx 'Exec=hotline-desk' <<<"$entry" || fail "desktop entry: Exec"
grep -qx 'Name\[zh_CN\]=热线服务台' <<<"$entry" || fail "desktop entry: Chinese name"
echo "check-packages: 4 packages, unit file and maintainer scripts OK"
