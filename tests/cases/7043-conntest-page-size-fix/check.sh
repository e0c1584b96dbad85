# The vendor takes page_size, not limit, and refuses parameters it does not
# know (as Stripe does): the fix renames the page size in every list.
WANT='{"/entities/widgets/actions/list/pagination/limit_param": "page_size", "/entities/gadgets/actions/list/pagination/limit_param": "page_size"}'
PROBLEM=pagination
. "$ROOT/tests/conntest/fixed.sh"
