# A folder's _canonical.json that is not JSON (its verb rules and its
# entities come from the one parse): reported with file, line and
# column, and the folder's connectors and the built-in ones still serve.
mkdir -p bad
printf '{"verbs": {"zap": {"destructive": true}},\n "synonyms": {"zorp": ["refund"]' > bad/_canonical.json
