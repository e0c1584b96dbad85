# The collection's connector: its shape, that it passes check, and that each
# tool's dry-run request is the collection's request.
set -e
cat > $TMP/shop.json
python3 - $TMP/shop.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["slug"] == "shop" and d["name"] == "Shop API", d["slug"]
assert d["base_url"] == "{baseUrl}" and d["params"]["baseUrl"]["default"] == "https://api.shop.example"
assert d["auth"] == {"default": "bearer", "methods": [{"type": "bearer", "label": "collection",
        "fields": {"token": {"type": "string", "secret": True, "required": True, "env": "SHOP_TOKEN"}}}]}, d["auth"]
names = sorted(f"{e}_{a}" for e, v in d["entities"].items() for a in v["actions"])
assert names == ["orders_cancel", "orders_invoice", "orders_list", "products_create", "products_delete",
                 "products_list", "products_read", "products_update", "refunds_create"], names
p = d["entities"]["products"]["actions"]
assert p["list"]["pagination"] == {"style": "page", "cursor_param": "page", "limit_param": "per_page"}
assert set(p["list"]["params"]) == {"category"}, p["list"]["params"]  # debug is disabled, paging is the pager's
assert p["create"]["params"]["price"] == {"type": "integer", "in": "body"}
assert p["create"]["params"]["X-Request-Source"]["in"] == "header"
o = d["entities"]["orders"]["actions"]
assert o["cancel"]["kind"] == "write" and o["cancel"]["body"] == "none" and o["cancel"]["path"] == "/v1/orders/{orderId}/cancel"
assert o["invoice"]["body_encoding"] == "multipart" and o["invoice"]["multipart"]["file"]["part"] == "file"
r = d["entities"]["refunds"]["actions"]["create"]
assert r["body_encoding"] == "form" and r["path"] == "/v1/orders/{orderId}/refunds"
PY
$BIN check $TMP/shop.json
python3 $ROOT/tests/import_check.py $BIN $CASE/collection.json $TMP/shop.json --min-coverage 100
