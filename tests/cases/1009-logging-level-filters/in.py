import json
print(json.dumps({'jsonrpc':'2.0','id':1,'method':'logging/setLevel','params':{'level':'error'}}))
print('{' + ' '*200)
