# What cannot be undone is marked destructive, from the connector files and
# the verb rules of _canonical.json: refunds, payments, captures, sends that
# reach people, cancellations, voids, merges and deletes. Reads are
# read-only; ordinary, reversible writes are not destructive.
python3 -c '
import json, sys
listed = {t["name"]: t.get("annotations", {}) for t in json.load(sys.stdin)}
# Annotations say only what differs from the MCP defaults (readOnlyHint false,
# destructiveHint true, idempotentHint false, openWorldHint true; the
# destructive and idempotent hints mean nothing on a read-only tool): read
# them as a client that follows the spec does.
DEFAULTS = {"readOnlyHint": False, "destructiveHint": True, "idempotentHint": False, "openWorldHint": True}
bad = []
for n, a in listed.items():
    if n.startswith("switchboard_"):
        continue
    said = [k for k, v in a.items() if DEFAULTS.get(k) == v or (a.get("readOnlyHint") and k in ("destructiveHint", "idempotentHint"))]
    if said or set(a) - set(DEFAULTS):
        bad.append(("says a default", n, a))
def hints(a):
    h = dict(DEFAULTS, **a)
    if h["readOnlyHint"]:
        h["destructiveHint"], h["idempotentHint"] = False, False
    return h
tools = {n: hints(a) for n, a in listed.items()}
irreversible = """stripe_refunds_create stripe_charges_create stripe_payment_intents_create
 stripe_subscriptions_create stripe_payment_intents_confirm stripe_payment_intents_capture stripe_charges_capture
 stripe_payment_intents_cancel stripe_refunds_cancel stripe_invoices_pay stripe_invoices_send
 stripe_invoices_void stripe_invoices_finalize stripe_invoices_delete stripe_subscriptions_cancel
 stripe_customers_delete email_messages_send slack_messages_post slack_messages_delete
 xero_invoices_email xero_payments_delete quickbooks_invoices_void quickbooks_invoices_delete
 shopify_orders_cancel shopify_products_delete github_pull_requests_merge
 github_repositories_delete github_workflow_runs_cancel openai_responses_cancel
 openai_files_delete hubspot_contacts_delete cin7omni_payments_delete http_requests_send""".split()
reads = """stripe_customers_list stripe_customers_read stripe_invoices_search github_issues_list
 slack_users_lookup_by_email hubspot_contacts_search quickbooks_invoices_list xero_invoices_read
 cin7core_stock_list shopify_orders_list email_messages_list openai_embeddings_create""".split()
reversible = """stripe_customers_create stripe_customers_update github_issues_create github_issues_update
 slack_channels_archive slack_reactions_remove slack_messages_update quickbooks_customers_deactivate
 hubspot_contacts_associate shopify_inventory_levels_adjust xero_contacts_create""".split()
for n in irreversible:
    a = tools[n]
    if a.get("readOnlyHint") is not False or a.get("destructiveHint") is not True:
        bad.append(("should be destructive", n, a))
for n in reads:
    if tools[n].get("readOnlyHint") is not True:
        bad.append(("should be read-only", n, tools[n]))
for n in reversible:
    a = tools[n]
    if a.get("readOnlyHint") is not False or a.get("destructiveHint") is not False:
        bad.append(("should be a plain write", n, a))
# A destructive write, not idempotent, says nothing: all its hints are the
# defaults (and there are such tools, so the rule above is exercised).
assert listed["stripe_refunds_create"] == {} and listed["email_messages_send"] == {}, listed["stripe_refunds_create"]
# Idempotent where repeating changes nothing more, not where it sends again.
for n in ["stripe_invoices_void", "stripe_customers_update", "github_pull_requests_merge",
          "github_issues_add_labels"]:
    if tools[n].get("idempotentHint") is not True:
        bad.append(("should be idempotent", n, tools[n]))
for n in ["email_messages_send", "slack_messages_post", "stripe_refunds_create", "http_requests_send"]:
    if tools[n].get("idempotentHint", False) is not False:
        bad.append(("should not be idempotent", n, tools[n]))
assert not bad, "\n".join(map(str, bad))
print("ok")
'
