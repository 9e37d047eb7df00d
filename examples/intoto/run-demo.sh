#!/bin/sh
# The whole demo in a scratch directory: keys, layout, two steps, verification by cnab-trust and (when
# installed) by the python reference `in-toto-verify`. Usage: sh examples/intoto/run-demo.sh (after npm run build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cli="node $here/../../dist/src/cli/main.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cp "$here/layout.yaml" .
$cli intoto keygen keys/alice --type rsa          # project owner: signs the layout
$cli intoto keygen keys/bob --type ed25519        # functionary of write-code
$cli intoto keygen keys/carl --type ecdsa         # functionary of package
$cli layout create layout.yaml -o root.layout
$cli layout sign root.layout --key keys/alice
$cli layout show root.layout --layout-keys keys/alice.pub
$cli link record start --step write-code --key keys/bob
echo 'print("hello")' > foo.py
$cli link record stop --step write-code --key keys/bob -p foo.py
$cli link run --step package --key keys/carl -m foo.py -p foo.tar.gz -- tar zcvf foo.tar.gz foo.py
rm layout.yaml foo.py           # the client has the layout, the links, the public keys and the package
$cli intoto verify --layout root.layout --layout-keys keys/alice.pub --links .
if command -v in-toto-verify >/dev/null; then
  in-toto-verify -l root.layout -k keys/alice.pub -t rsa && echo 'in-toto-verify (python reference): PASS'
fi
