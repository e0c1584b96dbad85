import json
print(json.dumps({'jsonrpc':'2.0','id':1,'method':'ping','params':{'pad':'c'*3000000}}))
print(json.dumps({'jsonrpc':'2.0','id':2,'method':'ping'}))
