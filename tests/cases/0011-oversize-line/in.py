import json
print(json.dumps({'jsonrpc':'2.0','id':1,'method':'ping','params':{'pad':'a'*5000}}))
print(json.dumps({'jsonrpc':'2.0','id':2,'method':'ping'}))
