#!/usr/bin/env bash
# `npm run test:setup` (chained by `npm test`): the Debian packages the integration tests run as real peers and
# servers. As root it installs the missing ones with apt-get; otherwise it names them with the command to install
# them and exits 1, so that no test starts without its peers.
#
#   docker-registry  CNCF distribution 2.8, the OCI registry the push/pull/relocate/verify tests talk to
#   skopeo           a second OCI client (interop: it reads what we push, we read what it copies)
#   in-toto          the python reference 1.3.1 (in-toto-run, in-toto-verify: interop and differential tests)
#   apache2-utils    htpasswd -B, for the registry's Basic auth
#   openssl          keys and certificates made by a second implementation
#   time             /usr/bin/time -v for the resource-bound tests and benches
#   postgresql       the PostgreSQL key and metadata store tests (a throwaway cluster on 127.0.0.1)
#   gnupg            gpg keys for the in-toto GPG interop
set -euo pipefail

packages=(docker-registry skopeo in-toto apache2-utils openssl time postgresql gnupg)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "test:setup: this is not a Debian system (no dpkg-query). The integration tests need: ${packages[*]}" >&2
  echo 'test:setup: install their equivalents, then run the tests with: npm run build && npx mocha "dist/test/**/*.test.js"' >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "test:setup: the tests need Debian packages that are not installed: ${missing[*]}" >&2
  echo "test:setup: install them as root, then run npm test again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "test:setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
