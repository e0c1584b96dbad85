import json
print(json.dumps({'jsonrpc':'2.0','id':1,'method':'ping'}))
print(json.dumps({'jsonrpc':'2.0','id':2,'method':'ping','params':{'pad':'b'*1000000}}))
print(json.dumps({'jsonrpc':'2.0','id':3,'method':'ping'}))
