# GitHub's gists (list, read, create) as a connector at a stub that answers in
# GitHub's shapes from its spec's examples: the list and read 200, the create
# 201 Created with the gist and a Location header.
set -e
D=$XDG_CONFIG_HOME/switchboard/capabilities
mkdir -p $D
cat > $D/gists.json <<JSON
{"format": 1, "slug": "gists", "name": "GitHub Gists", "description": "GitHub's gists.",
 "category": "Development", "base_url": "$STUB",
 "auth": {"default": "bearer", "methods": [{"type": "bearer", "label": "Personal access token",
   "fields": {"token": {"type": "string", "secret": true, "required": true, "env": "GISTS_TOKEN"}}}]},
 "request": {"body": "json", "accept": "application/vnd.github+json",
   "headers": {"X-GitHub-Api-Version": "2022-11-28"}},
 "pagination": {"style": "link", "limit_param": "per_page", "max_limit": 100},
 "errors": {"message": "/message", "code": "/errors/0/code"},
 "entities": {"gists": {"description": "Gists: files shared as small repositories.", "actions": {
   "list": {"method": "GET", "path": "/gists", "description": "List the user's gists.",
     "params": {"since": {"type": "string", "format": "date-time", "in": "query"}}},
   "read": {"method": "GET", "path": "/gists/{gist_id}", "description": "Get a gist.",
     "params": {"gist_id": {"type": "string", "in": "path", "required": true}}},
   "create": {"method": "POST", "path": "/gists", "description": "Create a gist.",
     "params": {"description": {"type": "string", "in": "body"},
       "files": {"type": "object", "in": "body", "required": true,
         "example": {"hello.rb": {"content": "puts \"Hello, World!\""}},
         "additionalProperties": {"type": "object", "properties": {"content": {"type": "string"}},
           "required": ["content"]}},
       "public": {"type": "boolean", "in": "body"}}}}}}}
JSON
$BIN check $D/gists.json >/dev/null || { echo "setup: gists.json is not a valid connector"; exit 1; }
