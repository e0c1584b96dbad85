import sys
sys.stdout.write('{"jsonrpc":"2.0","id":1,"method":"ping"}\n' + '{' + ' '*500)
