import sys
sys.stdout.write('['*100000 + ']'*100000 + '\n')
sys.stdout.write('{"a":'*5000 + '1' + '}'*5000 + '\n')
sys.stdout.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n')
