# The vendor pages with page_token, not starting_after: the second page is
# refused, the fix renames the cursor parameter in every list.
WANT='{"/entities/widgets/actions/list/pagination/cursor_param": "page_token", "/entities/gadgets/actions/list/pagination/cursor_param": "page_token"}'
PROBLEM=pagination
. "$ROOT/tests/conntest/fixed.sh"
