#!/usr/bin/env bash
# Prepare a throwaway `pass` store for docker-credential-pass: a GPG key
# without a passphrase in $GNUPGHOME and a password store initialised for it
# in $PASSWORD_STORE_DIR. Idempotent: an existing key and store are reused.
#
#   GNUPGHOME=/tmp/ps-gnupg PASSWORD_STORE_DIR=/tmp/ps-store .ci/setup-pass.sh [BINDIR]
#
# With BINDIR, docker-credential-pass is also built there from the module
# version in go.mod. Needs pass and gnupg (.ci/run installs them). The Go test
# TestPassEndToEnd does all of this itself in temporary directories; this
# script is for the demo and for trying the helper by hand. Never point it at
# a real GNUPGHOME: the key it makes has no passphrase.
set -euo pipefail
: "${GNUPGHOME:?set GNUPGHOME to a throwaway directory}"
: "${PASSWORD_STORE_DIR:?set PASSWORD_STORE_DIR to a throwaway directory}"
export GNUPGHOME PASSWORD_STORE_DIR
for tool in gpg pass; do
  command -v "$tool" >/dev/null || { echo "setup-pass: $tool is not installed (apt-get install -y pass gnupg)" >&2; exit 1; }
done

uid='pullsecret test <pullsecret-test@example.invalid>'
mkdir -p "$GNUPGHOME"
chmod 700 "$GNUPGHOME"
if ! gpg --batch --list-secret-keys "$uid" >/dev/null 2>&1; then
  # ed25519 signing key with a cv25519 encryption subkey: generated in well
  # under a second, unlike RSA.
  gpg --batch --quiet --passphrase '' --quick-gen-key "$uid" future-default default never
fi
fpr=$(gpg --batch --with-colons --list-secret-keys "$uid" | awk -F: '$1 == "fpr" { print $10; exit }')
if [ -z "$fpr" ]; then
  echo "setup-pass: no fingerprint for $uid" >&2
  exit 1
fi
if [ "$(cat "$PASSWORD_STORE_DIR/.gpg-id" 2>/dev/null)" != "$fpr" ]; then
  pass init "$fpr" >/dev/null
fi

if [ $# -gt 0 ]; then
  cd "$(dirname "$0")/.."
  mkdir -p "$1"
  go build -o "$1/docker-credential-pass" github.com/docker/docker-credential-helpers/pass/cmd
  echo "setup-pass: built $1/docker-credential-pass" >&2
fi
echo "setup-pass: key $fpr in GNUPGHOME=$GNUPGHOME, store in PASSWORD_STORE_DIR=$PASSWORD_STORE_DIR" >&2
