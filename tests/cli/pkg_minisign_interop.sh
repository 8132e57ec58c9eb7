# Our minisign-format signatures against Debian's minisign, both ways:
# minisign -V verifies ours (and prints our trusted comment) and rejects
# them when the file changes; ours verify minisign's own signatures (an
# unencrypted key made with -W) and reject them under another key.
source "$(dirname "$0")/lib.bash"
tool=$(dirname "$sluice")/pkg_tool
command -v minisign >/dev/null || { echo "minisign is not installed: run scripts/setup" >&2; exit 1; }
cd "$dir"
printf 'package bytes\n%.0s' {1..100} > pkg.sluicepkg
comment="sluice-package name=x version=1.0.0 sha256=$(sha256sum pkg.sluicepkg | cut -d' ' -f1)"

# (a) ours → minisign
pub=$("$tool" keygen ours.key ours.pub) || fail "keygen"
expect_contains "public key line" "RW" "$pub"
expect_not_contains "keygen prints no secret" "sluice-ed25519-secret" "$pub"
"$tool" sign ours.key pkg.sluicepkg "$comment" || fail "sign"
out=$(minisign -Vm pkg.sluicepkg -P "$pub" 2>&1) || fail "minisign -V rejected our signature: $out"
expect_contains "minisign shows our trusted comment" "Trusted comment: $comment" "$out"
out=$(minisign -Vm pkg.sluicepkg -p ours.pub 2>&1) || fail "minisign -V -p rejected our signature: $out"
cp pkg.sluicepkg tampered.sluicepkg
printf 'X' | dd of=tampered.sluicepkg bs=1 seek=7 conv=notrunc 2>/dev/null
cp pkg.sluicepkg.minisig tampered.sluicepkg.minisig
if minisign -Vm tampered.sluicepkg -P "$pub" >/dev/null 2>&1; then
  fail "minisign accepted our signature over a tampered file"
fi
out=$("$tool" verify pkg.sluicepkg pkg.sluicepkg.minisig "$pub") || fail "our verify: $out"
expect_contains "our verify shows the trusted comment" "trusted comment: $comment" "$out"
out=$("$tool" verify tampered.sluicepkg tampered.sluicepkg.minisig "$pub" 2>&1) &&
  fail "we accepted a tampered file"
expect_contains "tampered file is an integrity error" "integrity_error" "$out"

# (b) minisign → ours
minisign -G -W -p theirs.pub -s theirs.key >/dev/null 2>&1 || fail "minisign -G"
minisign -S -s theirs.key -m pkg.sluicepkg -x theirs.minisig -t "their comment" >/dev/null 2>&1 ||
  fail "minisign -S"
out=$("$tool" verify pkg.sluicepkg theirs.minisig theirs.pub 2>&1) || fail "minisign's signature rejected: $out"
expect_contains "their trusted comment" "trusted comment: their comment" "$out"
their_pub=$(tail -n 1 theirs.pub)
out=$("$tool" verify pkg.sluicepkg theirs.minisig "$their_pub" 2>&1) || fail "RW line form: $out"
out=$("$tool" verify pkg.sluicepkg theirs.minisig ours.pub 2>&1) &&
  fail "minisign's signature accepted under another key"
expect_contains "another key is an integrity error" "not a trusted key" "$out"
out=$("$tool" verify tampered.sluicepkg theirs.minisig theirs.pub 2>&1) &&
  fail "minisign's signature accepted over a tampered file"
expect_contains "tampered under their key" "integrity_error" "$out"
# A legacy (-l, non-prehashed) minisign signature, when this minisign can make one.
if minisign -S -l -s theirs.key -m pkg.sluicepkg -x legacy.minisig -t "legacy" >/dev/null 2>&1; then
  out=$("$tool" verify pkg.sluicepkg legacy.minisig theirs.pub 2>&1) || fail "legacy signature: $out"
  expect_contains "legacy trusted comment" "trusted comment: legacy" "$out"
fi
finish
