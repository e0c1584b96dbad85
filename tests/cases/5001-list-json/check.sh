# No secret is in the database's bytes.
for s in sk_test_abc123secret sk_test_beta456secret whsec_beta789secret; do
  ! grep -a -q $s "$XDG_DATA_HOME/switchboard/switchboard.db"* || exit 1
done
# Nor in stdout.
! grep -q secret
