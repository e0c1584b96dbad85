import json
for i in range(1000):
    print(json.dumps({'jsonrpc':'2.0','id':i,'method':'ping'}))
