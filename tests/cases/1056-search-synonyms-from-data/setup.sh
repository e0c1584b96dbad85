# A user's capabilities folder adds a search synonym and a connector alias;
# another holds a _canonical.json whose synonyms are malformed.
mkdir -p caps bad
cat > caps/_canonical.json <<'J'
{"synonyms": {"zorp": ["refund"]}}
J
cat > bad/_canonical.json <<'J'
{"synonyms": {"zorp": "refund"}}
J
