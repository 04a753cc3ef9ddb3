#!/usr/bin/env bash
# `make package`: the desk's .deb and .rpm (Tauri's bundler: desktop entry, icons) and the
# centre server's .deb and .rpm (hotline-server, the hotline command line, the systemd
# unit, the hotline account and data folder), into dist/. `--debug` packs the debug
# build (what `make test` checks, without a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
PROFILE=release
FLAG=--release
if [ "${1:-}" = "--debug" ]; then PROFILE=debug; FLAG=; fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DIST=$PWD/dist
rm -rf "$DIST" && mkdir -p "$DIST"

# The desk: Tauri's bundler (the npm build of its CLI, a prebuilt binary: no compile).
TAURI_CLI_VERSION=2.12.5
( cd src-tauri && npx --yes "@tauri-apps/cli@$TAURI_CLI_VERSION" build $([ "$PROFILE" = debug ] && echo --debug) --bundles deb rpm --ci )
cp "$TARGET/$PROFILE"/bundle/deb/*.deb "$DIST/hotline-desk_${VERSION}_amd64.deb"
cp "$TARGET/$PROFILE"/bundle/rpm/*.rpm "$DIST/hotline-desk-${VERSION}-1.x86_64.rpm"

# The server and the command line (in debug, as `make test` builds them: nothing again).
if [ "$PROFILE" = debug ]; then
  $CARGO test --workspace --tests --no-run 2>/dev/null
else
  $CARGO build --release -p hotline-server -p hotline-cli
fi
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ROOT=$STAGE/root
install -D -m 0755 "$TARGET/$PROFILE/hotline-server" "$ROOT/usr/bin/hotline-server"
install -D -m 0755 "$TARGET/$PROFILE/hotline" "$ROOT/usr/bin/hotline"
install -D -m 0644 packaging/hotline-server.service "$ROOT/usr/lib/systemd/system/hotline-server.service"
install -D -m 0640 packaging/server.toml "$ROOT/etc/hotline/server.toml"
install -d -m 0750 "$ROOT/var/lib/hotline"

# .deb
DEB=$STAGE/deb
cp -a "$ROOT" "$DEB"
install -d "$DEB/DEBIAN"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$DEB/DEBIAN/"
echo /etc/hotline/server.toml > "$DEB/DEBIAN/conffiles"
cat > "$DEB/DEBIAN/control" <<CONTROL
Package: hotline-server
Version: $VERSION
Architecture: amd64
Maintainer: Hotline Desk <hotline-desk@localhost>
Section: net
Priority: optional
Depends: adduser, libc6
Installed-Size: $(du -sk "$ROOT" | cut -f1)
Description: Hotline Desk centre server (热线服务台中心服务器)
 One ticket store for a whole hotline centre, served over HTTPS to its desks, with the
 centre's deadline scheduler and daily backups; and the hotline command line.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$DEB" "$DIST/hotline-server_${VERSION}_amd64.deb" >/dev/null

# .rpm
command -v rpmbuild >/dev/null || { echo "rpmbuild missing: apt-get install rpm" >&2; exit 1; }
rpmbuild -bb --quiet \
  --define "_topdir $STAGE/rpmbuild" \
  --define "version $VERSION" \
  --define "stage $ROOT" \
  --define "_rpmdir $DIST" \
  --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
  packaging/rpm/hotline-server.spec
ls -l "$DIST"
