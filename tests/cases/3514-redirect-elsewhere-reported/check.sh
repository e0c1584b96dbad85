# The query and user info of the Location (a signature, a password) are not
# repeated to the model.
! grep -q 'sig_abc123\|hunter2' || { echo "a redirect's secret reached stdout"; exit 1; }
