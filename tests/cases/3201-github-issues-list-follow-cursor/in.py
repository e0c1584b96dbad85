import json, os
args = {'owner': 'octocat', 'repo': 'Hello-World',
        'cursor': os.environ['STUB'] + '/repositories/1296269/issues?state=open&per_page=2&page=2'}
print(json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'tools/call',
                  'params': {'name': 'github_issues_list', 'arguments': args}}))
