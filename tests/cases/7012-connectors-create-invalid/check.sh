# Each wrong field is refused with what is wrong, and nothing is written.
set -eu
fails() {
	want=$1
	shift
	if $BIN connectors create "$@" >/dev/null 2>"$TMP/err"; then
		echo "accepted: $*"
		exit 1
	fi
	grep -qF -- "$want" "$TMP/err" || { echo "for $*: expected '$want', got: $(cat "$TMP/err")"; exit 1; }
}
fails "choose the auth methods with --auth" --name Acme
fails "no auth method 'apikey'" --name Acme --auth apikey
fails "slug 'Acme': lowercase letters and digits" --name Acme --slug Acme --auth none
fails "slug '9acme': lowercase letters and digits" --name Acme --slug 9acme --auth none
fails "slug 'abcdefghijklmnopqrstu'" --name Acme --slug abcdefghijklmnopqrstu --auth none
fails "slug '': lowercase letters and digits" --name "123 !!" --auth none
fails "domain 'https://acme.example' is not a host name" --name Acme --domain https://acme.example --auth none
fails "domain 'acme..example' is not a host name" --name Acme --domain acme..example --auth none
fails "domain '-acme.example' is not a host name" --name Acme --domain -acme.example --auth none
fails "the icon URL must be https" --name Acme --icon-url http://acme.example/i.png --auth none
fails "visibility is private or public, not 'team'" --name Acme --visibility team --auth none
fails "oauth2 needs the vendor's authorize URL and token URL, both https" --name Acme --auth oauth2 --authorize-url https://a.example/auth
fails "oauth2 needs the vendor's authorize URL and token URL, both https" --name Acme --auth oauth2 --authorize-url http://a.example/auth --token-url https://a.example/token
fails "custom needs at least one header" --name Acme --auth custom
fails "custom: header 'X-Key': a field is written {name}" --name Acme --auth custom --custom-header 'X-Key: {Key}'
fails "--custom-header takes 'Name: template'" --name Acme --auth custom --custom-header 'X-Key {key}'
fails "api_key: 'X Key' is not a header name" --name Acme --auth api_key --key-header 'X Key'
fails "api_key: the value template must hold {api_key}" --name Acme --auth api_key --key-format 'Bearer {key}'
fails "auth method 'none' is given twice" --name Acme --auth none,none
fails "the default auth method 'oauth2' is not one of the methods" --name Acme --auth none --default-auth oauth2
fails "unexpected '--colour'" --name Acme --auth none --colour red
[ -e "$XDG_CONFIG_HOME/switchboard/capabilities" ] && { echo "something was written: $(ls -R "$XDG_CONFIG_HOME")"; exit 1; }
# A host name that is fine.
$BIN connectors create --name Acme --domain login.acme-corp.example --auth none >/dev/null 2>&1 || { echo "a good domain refused"; exit 1; }
echo ok
