/* test_rs.c - the resource server without a network: JWTs (RS256, ES256,
 * the attacks) against an inline JWK Set made by tests/rs/issuer.py, the
 * claims at a fixed time, static tokens, the WWW-Authenticate answers and
 * the RFC 9728 metadata; and the signature primitives of crypto.c. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "rs.h"
#include "t.h"

/* Made once with tests/rs/issuer.py: keys rsa1 and ec1 are in JWKS, rsa2 is
 * not. The tokens' iss is https://issuer.test, aud https://mcp.test/mcp, sub
 * alice, exp 1800000600, nbf 1799999900, scope "mcp:tools mcp:read", groups
 * ["ops", "finance"]; each T_ changes one thing (see its test). */
#define JWKS                                                                                       \
	"{\"keys\": [{\"kty\": \"RSA\", \"kid\": \"rsa1\", \"use\": \"sig\", \"alg\": \"RS256\", " \
	"\"n\": \"16ZcOiCM06NhqG_YTjAsdGbSVhntoDyoDwv71yt971zxbcvGLYAIMJKfiTaaUFyYiHcYwRBOvn_59LQ" \
	"OJNBKhpcXQNlY2r0zVqhHYhEwSWt9OxhH7Jbobm_CYLFgoK5wLfgkH5n5fkcOoXvzCB8n1BG1g8C8ldFXSqFwKWE" \
	"1lTVLrSqCG1_MVYN_4z3vcWCgwva3ZFA6FlkeYZi7_dXZDL6d1DT-b-ePc7nEB2Gr5JbXKPJs1l9Kh99ZdiQAIaQ" \
	"1mn53nod6oQZWs2yItctUknD4pP98bArf2ajZ4Q94Vc4WJzn9-"                                       \
	"0wBVIbPoj86mTHZ251wSdLd0hc7mCHe8U2NRQ\""                                                  \
	", \"e\": \"AQAB\"}, {\"kty\": \"EC\", \"kid\": \"ec1\", \"use\": \"sig\", \"crv\": \"P-2" \
	"56\", \"x\": \"7erJa9lHWAn8VFUSSt6AWXWrJ-rKtUH036l-Jh9qRsc\", \"y\": \"nznlP5llF7iXYudcI" \
	"6y5dLVhPkTOOeQDw9DQ-KwOF-Q\"}]}"

#define T_RS256                                                                                    \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.i_GpE_16gCLPAj56MVc7BqWQlF" \
	"_GcH6Tt21Ltmr56nYJzYu5Ou2uLsFZW0mRssEnV8-oujmqwerWeyXNdoGOsykwzlsLjIR4kly9btIeIRViN9eidY" \
	"B3in9Grd9qNCJRVFzTja3yOKSGyvjm2ogZ1XPFbID_G-0r5A8RM5q0O3EVtqsgsSInDRkd8WvsSeC0DnaRceFrkr" \
	"zcD_tWSLLYMqLK2wLtwmLMR9kSTSKtUlkzBpmLJl_bZMgEh0U0f8IEXtzyt9-J9jI0PkyO0oR9GyJdKJh9x7Q-qP" \
	"bv-2ZZqKQDXhO0vtD5sWBOXu7JtbZ-JpnmOGEFsYYR-Fi4amUvRQ"

#define T_ES256                                                                                    \
	"eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAiZWMxIn0.eyJpc3MiOiAiaHR0cHM6Ly9p" \
	"c3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImJvYiIsICJleHAiOiAx" \
	"ODAwMDAwNjAwLCAibmJmIjogMTc5OTk5OTkwMCwgImlhdCI6IDE3OTk5OTk5MDAsICJzY3AiOiBbIm1jcDp0b29s" \
	"cyJdfQ.3fGVWj0TQDiTQ8xAbIvyInXhnmettsu-Kh4_E7qFes3c3CXrfyPM5IsTnp5fXgQOb9SeH4sZj2hJ7qiDR" \
	"Kep7A"

#define T_AUD_ARRAY                                                                                \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiBbImh0dHBzOi8vb3RoZXIudGVzdCIsICJIVFRQUzovL01DUC5URVNUL21jcC8" \
	"iXSwgInN1YiI6ICJhbGljZSIsICJleHAiOiAxODAwMDAwNjAwLCAibmJmIjogMTc5OTk5OTkwMCwgImlhdCI6IDE" \
	"3OTk5OTk5MDAsICJzY29wZSI6ICJtY3A6dG9vbHMgbWNwOnJlYWQiLCAiZ3JvdXBzIjogWyJvcHMiLCAiZmluYW5" \
	"jZSJdfQ.IoP1Jg25p1sg5FIvIeE93SM3kFXYzOSVOjDzJBGXcLuWbogtXFmi5nX1COoSTC3wwFsQdhQ1oTzKUvSw" \
	"4PzXrX1kXWoAFxwF00FBdKHj4DRwha_rxOoiQFJJYd6nKZ27DW8C5jM8Mt8oiCnFDbacf1XRQ8xcpwDIw5b8S4NC" \
	"9tglk3Q40jaa2XUAQqaH3HAInPAkcK4N24m0Tp-fXxebAWKDKl3wmmA4s_g60FwROpANSC844PBtRNvh2YvvLCpj" \
	"Q7d7zBSObZRSMx3X_il8B1PYqgvyugMZVf3MREHHImtvXNvw7oEedrJg-O2RjWJZtECCF_1uqkqAXNNOc7P4vQ"

#define T_WRONG_AUD                                                                                \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9vdGhlci50ZXN0L21jcCIsICJzdWIiOiAiYWxpY2UiLCAiZXh" \
	"wIjogMTgwMDAwMDYwMCwgIm5iZiI6IDE3OTk5OTk5MDAsICJpYXQiOiAxNzk5OTk5OTAwLCAic2NvcGUiOiAibWN" \
	"wOnRvb2xzIG1jcDpyZWFkIiwgImdyb3VwcyI6IFsib3BzIiwgImZpbmFuY2UiXX0.s_gMvo5bdt41mK7RfN6oy6b" \
	"ANnvdIWUripC97dkVZ7T72fm2mcDuN2qBHWzSzHEkCNpwWjfSMDYccDCc4X7TPGILMa0RcaiU_-qHOzOrQqADCaa" \
	"U0E_z-QpWHOW3TExYOdEckoNVFAigJnVDXjmDymoQtxpxKgnUP46VSBtLbr3qZ7oOPz77DzFrq4taXPmhq9wQh7p" \
	"u1j5EEk51TG4gLAIYuSagLP07wO4a-5LBgDrrotaNUy8mE-fB1thMlsaCiobnXcWOs91j2BDpxX8uEp7u1JA3Izy" \
	"j_icFNnPIMH55HEYRjlOxIJ8G94JJC3hrkIHgGBf78I0JkyPRcMbjNQ"

#define T_WRONG_ISS                                                                                \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"ldmlsLnRlc3QiLCAiYXVkIjogImh0dHBzOi8vbWNwLnRlc3QvbWNwIiwgInN1YiI6ICJhbGljZSIsICJleHAiOiA" \
	"xODAwMDAwNjAwLCAibmJmIjogMTc5OTk5OTkwMCwgImlhdCI6IDE3OTk5OTk5MDAsICJzY29wZSI6ICJtY3A6dG9" \
	"vbHMgbWNwOnJlYWQiLCAiZ3JvdXBzIjogWyJvcHMiLCAiZmluYW5jZSJdfQ.ZHd2jsDgwX7JQGVl5MWZgJz-SP_9" \
	"CRKORc0kI6CayrGTVKSVJQlgHhDBaMcESxIz4mxlqoataXgowXxnlPZpKsFq8v40ryRQ9z0YnhKzDOAwZdZ7jiBe" \
	"vuUJVXPXAMf7iClch0U7aYXhLG6lNNA1bQUv2Ge0A_KV9AwDVpsmRlt7jkhZuMXq1XbN2rSGaAX1C_JZqg1_5n0F" \
	"5sT6Xd8fwlj2wn5zvnRUz356abVhxtNvo-39sR2tHq1LxTrarrnyhleM6H4UGH-QnlZRcPdnaE3PdTgMW6TP5t8_" \
	"z9UJLYnIqJ6loAhRUxMvZPSgqWldToBHDsZkvEGPgoA3me9jLA"

#define T_NO_EXP                                                                                   \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgIm5iZiI" \
	"6IDE3OTk5OTk5MDAsICJpYXQiOiAxNzk5OTk5OTAwLCAic2NvcGUiOiAibWNwOnRvb2xzIG1jcDpyZWFkIiwgImd" \
	"yb3VwcyI6IFsib3BzIiwgImZpbmFuY2UiXX0.O5wnS56k2-lGvs9BpDW8uuanpHG1DTJSUYAuymVyNGKMOOlEVXN" \
	"UXiUNS8eDiP2z1tIIiTYMs6_srkrXcZQb5rTz7UGB0H2VE0ayXcWuMEPP2oRK-HB4Q8Cr0tU6mOroTrRQ6iEVsAQ" \
	"dMri0KMUXdwQ1Lyg4MIb8C1YplN-STeR-6pgGppuJg_LuBWL4K8OHaAYyAYhQizAzgbm149qI0SfJvmVHvXubmnA" \
	"lQgQIdNTtEF98W-pmEc8SfEf3oR_I-cpLE0Qi7vJEU9umFCA-IhdjKRARXTNssuw9VmSj7URvEImlp3GyNyhMZyd" \
	"Z7oM04qohoYLasGoVS4PjU5tLQw"

#define T_NO_SCOPE                                                                                 \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"yZWFkIiwgImdyb3VwcyI6IFsib3BzIiwgImZpbmFuY2UiXX0.Bl1V14jWKR6lDK-50pSa2QP7A1MrIdI5k0KD_Lt" \
	"okPi4lYDP-oUn3Xpj-DGuJ9zfAcyKYEM37AZcDd2HfsAieHbyeOjqNzPZw1LdOp8ME1BsUsviNDeJakgx25j0rWV" \
	"-WxQ9SgukxeoMAFuFsB3CwhO1ASt4DqBey-oChN9NNWM9P4dhghKFtfeYgHgz9kXjxZJhtw3vwhiVHXi8CS3tJQ0" \
	"lDc9GvDnlVWCUnthDCwyGdnAzo2pugOho0qc75iELUgrmZATa8Luh0ZEy1DCYR6msrs77Yr5SbYS1obiqDRorgo7" \
	"YGIRuA6F2mH7QiwHLe9Oao1Vl-OdbOgpRY2BhMQ"

#define T_NO_SUB                                                                                   \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAiZXhwIjogMTgwMDAwMDYwMCwgIm5" \
	"iZiI6IDE3OTk5OTk5MDAsICJpYXQiOiAxNzk5OTk5OTAwLCAic2NvcGUiOiAibWNwOnRvb2xzIG1jcDpyZWFkIiw" \
	"gImdyb3VwcyI6IFsib3BzIiwgImZpbmFuY2UiXX0.YP0CafUCTZonGsIadpzcBy1Rl4K-dDTiLriOU5Ur81yRwa_" \
	"bEdIbLXg_pCevWVWDNVQgo7M3PF7Jaz0dBsJpQEQTUrWsQTeXCPeT6-j2KazDfQZY64Na2dnse_xBoMGj3K5N0IT" \
	"cianCm0tnBxjglwjV02Dg94uxxF0KDP8NmFSdw7ZVKiGbFZ3haYmDPLOHB9sNH_uHJwLaS-X3LCnxeNy-1SfVfkG" \
	"7AbFKgGFt-INSOVvfiVQR0gAF1jWz0Ytxgf6BrOazcAZw-wH0FZrPkxzU5i18yvWFfgBnr-J0fRhT_vb4xrZncVZ" \
	"zNHkWm4S9mry2__te_bRjLOLpyDvjpA"

#define T_TAMPERED                                                                                 \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.ivGpE_16gCLPAj56MVc7BqWQlF" \
	"_GcH6Tt21Ltmr56nYJzYu5Ou2uLsFZW0mRssEnV8-oujmqwerWeyXNdoGOsykwzlsLjIR4kly9btIeIRViN9eidY" \
	"B3in9Grd9qNCJRVFzTja3yOKSGyvjm2ogZ1XPFbID_G-0r5A8RM5q0O3EVtqsgsSInDRkd8WvsSeC0DnaRceFrkr" \
	"zcD_tWSLLYMqLK2wLtwmLMR9kSTSKtUlkzBpmLJl_bZMgEh0U0f8IEXtzyt9-J9jI0PkyO0oR9GyJdKJh9x7Q-qP" \
	"bv-2ZZqKQDXhO0vtD5sWBOXu7JtbZ-JpnmOGEFsYYR-Fi4amUvRQ"

#define T_ALG_NONE                                                                                 \
	"eyJhbGciOiAibm9uZSIsICJ0eXAiOiAiYXQrand0IiwgImtpZCI6ICJyc2ExIn0.eyJpc3MiOiAiaHR0cHM6Ly9p" \
	"c3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI6" \
	"IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp0" \
	"b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19."

#define T_HS256                                                                                    \
	"eyJhbGciOiAiSFMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.ybfMMEM5abbsIgBfOiFVauHWCp" \
	"tpBvbwNu1pFOmTuks"

#define T_ES256_ON_RSA                                                                             \
	"eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.dFvZkdIjRL_UbIiCEzs5QzDtrq" \
	"N9Cw_YRuVADpSQrih3KfCjEG0EatEJyfxHizmkYp6_bJz9Ua5-xe7ZzDgf1EASsAQ7O2io6BrKgQGAU1leKCYUzJ" \
	"Q2s7ABX4Y4Ru0ddivrA3ia26fdMU6_21CXGkolV61ol-NHU9MMxa4KfqrZyBb5pDfXk87zrxH_dzd7yXcwIaa5wk" \
	"ObRLt8NdF8ZGMl4HPmOST48Fu5fbjFKmd8hVD97MeZ_-7ITiNCby4Oioc3TMqyiqoj2Xm4m3KIqoI2tdSNSn9dnm" \
	"MBrxi8FU1nOErQqEq6mqJrnjV9h9WOZ1HvvSPzroR26hL7fcBS8A"

#define T_NO_KID                                                                                   \
	"eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImF0K2p3dCJ9.eyJpc3MiOiAiaHR0cHM6Ly9pc3N1ZXIudGVzdCIsICJ" \
	"hdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI6IDE4MDAwMDA2MDAsICJ" \
	"uYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp0b29scyBtY3A6cmVhZCI" \
	"sICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.kQ4NrZitoGp0XvYFI8ZVt8Yat2ap0aE1Vp9EfGudlUl1Ly" \
	"xWxsOxpRP3n9JRphL-zdr-JHcNU0H9e-AA8DLMuA"

#define T_UNKNOWN_KEY                                                                              \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAicnNhMiJ9.eyJpc3MiOiAiaHR0cHM6Ly9" \
	"pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI" \
	"6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjogIm1jcDp" \
	"0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.Ps4g1SHgd9GLzFiH1ew4SG8elG" \
	"HK1t1xHdqyDQuiOZLjcFPWMjF_kQ_bLGBwmtiaLVrR9S74ETNeU83oZQ09srNO8BYkqAP-ly3qWIaHZ4Ovq95F0h" \
	"lKiCVgaG_RMXjacVMAe-WgkSAJa1hjOZhlmIhVZ8No1yvlZA2xJFG9X6XKBdP828nSR99k4nOE_3IMgKNuN3JMXq" \
	"gLhfgsEscd1D4P7BOFxOV-4PPCenHcRvGcsU8FrJ1zB-VMrIrEtnwj1NugyDhcde7GOC-sUrm0wcTo9dc0kz3-Wd" \
	"KHqdV9C4DpZXfkqgUqb0ls2h-qNJE-Z-L_GHsIxVfTksYpaQh8gw"

#define T_ID_TOKEN                                                                                 \
	"eyJhbGciOiAiUlMyNTYiLCAidHlwIjogImlkX3Rva2VuK2p3dCIsICJraWQiOiAicnNhMSJ9.eyJpc3MiOiAiaHR" \
	"0cHM6Ly9pc3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiw" \
	"gImV4cCI6IDE4MDAwMDA2MDAsICJuYmYiOiAxNzk5OTk5OTAwLCAiaWF0IjogMTc5OTk5OTkwMCwgInNjb3BlIjo" \
	"gIm1jcDp0b29scyBtY3A6cmVhZCIsICJncm91cHMiOiBbIm9wcyIsICJmaW5hbmNlIl19.qjKYs0Jzq9Vj3lfn_r" \
	"OwBZC4Sdf4z6FvaF8q_PdPVigLemrvJIqvmPbAQnLgBW_Cwoq4sCsWCY_rVo6jCa4eSXwBV661NcaXNjta1hFPA1" \
	"PSht6frCPzV-ubn1cqFqg-kFyP_BEcxHDtvh0jN64xtN_FpUaZysvo3ah0jijTRBNvn9R47iSJCynR9Hpu0i8pqw" \
	"WpcOwG8hR9SJZraqe_1jQFUmiC2TflplAbIU1FxKJMsvWeyVUsVAWZZPFYcGHQyH88BvO28hDVc5S3yWgmudBRj1" \
	"935WQsIGIGG44vd0xBATq0qaizRabD9Di3d9KWpWjBstKtULOqZIcdT4W4JA"

/* exp 1e300 and nbf -1e300: no double cast out of range. */
#define T_HUGE_TIMES                                                                               \
	"eyJhbGciOiAiRVMyNTYiLCAidHlwIjogImF0K2p3dCIsICJraWQiOiAiZWMxIn0.eyJpc3MiOiAiaHR0cHM6Ly9p" \
	"c3N1ZXIudGVzdCIsICJhdWQiOiAiaHR0cHM6Ly9tY3AudGVzdC9tY3AiLCAic3ViIjogImFsaWNlIiwgImV4cCI6" \
	"IDFlKzMwMCwgIm5iZiI6IC0xZSszMDAsICJzY29wZSI6ICJtY3A6dG9vbHMifQ.4OP4d35HMLwDOK3nSV_5w0yuE" \
	"-kOhsk4T6Zk1IcWKns4NjfXvX88iK1mQdM6AvqietcXEj_kvrpHdJN6ULnqYg"

#define NOW 1800000000LL

static struct rs *make_rs(const char *extra)
{
	struct err err;
	char *text =
		xasprintf("{\"resource\": \"https://mcp.test/mcp\", \"issuer\": "
			  "\"https://issuer.test\", \"jwks\": %s, \"groups_claim\": \"groups\", "
			  "\"scopes_supported\": [\"mcp:tools\", \"mcp:read\"]%s}",
			  JWKS, extra ? extra : "");
	json_t *cfg = json_loads(text, 0, NULL);
	err_init(&err);
	struct rs *rs = rs_new(cfg, NULL, NULL, &err);
	if (!rs)
		fprintf(stderr, "rs_new: %s\n", err.msg);
	json_decref(cfg);
	free(text);
	return rs;
}

/* The verdict on "Bearer <token>" at time now. */
static int status_at(struct rs *rs, const char *token, long long now, struct rs_verdict *v)
{
	char *h = xasprintf("Bearer %s", token);
	rs_authenticate_at(rs, h, now, v);
	free(h);
	return v->status;
}

/* The status for a token; a refusal must give a reason containing why. */
static int refused(struct rs *rs, const char *token, const char *why)
{
	struct rs_verdict v;
	int s = status_at(rs, token, NOW, &v);
	if (s == 401)
		CHECK(v.www_authenticate && strstr(v.www_authenticate, "error=\"invalid_token\""));
	if (s != 200 && !strstr(v.reason, why)) {
		fprintf(stderr, "reason '%s' lacks '%s'\n", v.reason, why);
		CHECK(0);
	}
	CHECK(s == 200 ? v.caller != NULL : v.caller == NULL);
	rs_verdict_release(&v);
	return s;
}

static void test_valid_tokens(void)
{
	struct rs *rs = make_rs(NULL);
	struct rs_verdict v;
	CHECK(rs != NULL);
	if (!rs)
		return;

	CHECK(status_at(rs, T_RS256, NOW, &v) == 200);
	if (v.caller) {
		CHECK_STR(v.caller->subject, "alice");
		CHECK(json_array_size(v.caller->groups) == 2);
		CHECK_STR(json_string_value(json_array_get(v.caller->groups, 1)), "finance");
		CHECK(json_array_size(v.caller->scopes) == 2);
		CHECK_STR(json_string_value(json_array_get(v.caller->scopes, 0)), "mcp:tools");
	}
	CHECK(v.www_authenticate == NULL);
	rs_verdict_release(&v);

	/* ES256: raw R || S turned into DER; scopes from Entra's "scp". */
	CHECK(status_at(rs, T_ES256, NOW, &v) == 200);
	if (v.caller) {
		CHECK_STR(v.caller->subject, "bob");
		CHECK(json_array_size(v.caller->groups) == 0);
		CHECK(json_array_size(v.caller->scopes) == 1);
	}
	rs_verdict_release(&v);

	/* aud as an array naming us with an uppercase scheme and host and a
	 * trailing slash (the MCP specification: accept those). */
	CHECK(refused(rs, T_AUD_ARRAY, "") == 200);
	/* No kid: every key of the right type is tried. */
	CHECK(refused(rs, T_NO_KID, "") == 200);
	CHECK(refused(rs, T_HUGE_TIMES, "") == 200);
	/* 60 s of skew either way. */
	CHECK(status_at(rs, T_RS256, 1800000600 + 59, &v) == 200);
	rs_verdict_release(&v);
	CHECK(status_at(rs, T_RS256, 1799999900 - 59, &v) == 200);
	rs_verdict_release(&v);
	rs_free(rs);
}

static void test_refused_tokens(void)
{
	struct rs *rs = make_rs(NULL);
	struct rs_verdict v;
	if (!rs)
		return;
	CHECK(refused(rs, T_WRONG_AUD, "audience") == 401);
	CHECK(refused(rs, T_WRONG_ISS, "issuer") == 401);
	CHECK(refused(rs, T_NO_EXP, "no expiry") == 401);
	CHECK(refused(rs, T_NO_SUB, "no principal") == 401);
	CHECK(refused(rs, T_TAMPERED, "does not verify") == 401);
	CHECK(refused(rs, T_ALG_NONE, "algorithm") == 401);
	CHECK(refused(rs, T_HS256, "algorithm") == 401);
	CHECK(refused(rs, T_ES256_ON_RSA, "does not verify") == 401);
	CHECK(refused(rs, T_UNKNOWN_KEY, "does not publish") == 401);
	CHECK(refused(rs, T_ID_TOKEN, "not an access token") == 401);
	CHECK(refused(rs, "abc.def.ghi", "not a well-formed") == 401);
	CHECK(refused(rs, "opaque-token", "not known") == 401);

	CHECK(status_at(rs, T_RS256, 1800000600 + 61, &v) == 401);
	CHECK(strstr(v.reason, "expired") != NULL);
	CHECK(v.www_authenticate &&
	      strstr(v.www_authenticate, "error_description=\"the token has expired\""));
	rs_verdict_release(&v);
	CHECK(status_at(rs, T_RS256, 1799999900 - 61, &v) == 401);
	CHECK(strstr(v.reason, "not valid yet") != NULL);
	rs_verdict_release(&v);

	/* The payload of one token under the signature of another. */
	const char *a = T_RS256, *b = T_AUD_ARRAY;
	const char *a1 = strchr(a, '.'), *a2 = strrchr(a, '.');
	const char *b1 = strchr(b, '.'), *b2 = strrchr(b, '.');
	char *mixed = xasprintf("%.*s%.*s%s", (int)(a1 - a), a, (int)(b2 - b1), b1, a2);
	CHECK(refused(rs, mixed, "does not verify") == 401);
	free(mixed);
	rs_free(rs);
}

static void test_challenges(void)
{
	struct rs *rs = make_rs(", \"required_scopes\": [\"mcp:tools\"]");
	struct rs_verdict v;
	if (!rs)
		return;
	const char *md =
		"resource_metadata=\"https://mcp.test/.well-known/oauth-protected-resource/mcp\"";

	rs_authenticate_at(rs, NULL, NOW, &v);
	CHECK(v.status == 401);
	CHECK(v.www_authenticate && strncmp(v.www_authenticate, "Bearer ", 7) == 0);
	CHECK(v.www_authenticate && strstr(v.www_authenticate, md));
	CHECK(v.www_authenticate && strstr(v.www_authenticate, "scope=\"mcp:tools\""));
	CHECK(v.www_authenticate && !strstr(v.www_authenticate, "error="));
	rs_verdict_release(&v);

	/* Another scheme is no bearer token at all. */
	rs_authenticate_at(rs, "Basic YWxpY2U6c2VjcmV0", NOW, &v);
	CHECK(v.status == 401 && v.www_authenticate && !strstr(v.www_authenticate, "error="));
	rs_verdict_release(&v);

	rs_authenticate_at(rs, "Bearer two words", NOW, &v);
	CHECK(v.status == 400);
	CHECK(v.www_authenticate && strstr(v.www_authenticate, "error=\"invalid_request\""));
	rs_verdict_release(&v);

	/* A good token without the required scope: 403, step up. */
	CHECK(status_at(rs, T_NO_SCOPE, NOW, &v) == 403);
	CHECK_STR(
		v.www_authenticate,
		"Bearer error=\"insufficient_scope\", scope=\"mcp:tools\", "
		"resource_metadata=\"https://mcp.test/.well-known/oauth-protected-resource/mcp\"");
	rs_verdict_release(&v);
	CHECK(refused(rs, T_RS256, "") == 200);

	json_t *m = rs_metadata(rs);
	CHECK_STR(json_string_value(json_object_get(m, "resource")), "https://mcp.test/mcp");
	CHECK_STR(json_string_value(json_array_get(json_object_get(m, "authorization_servers"), 0)),
		  "https://issuer.test");
	CHECK_STR(json_string_value(
			  json_array_get(json_object_get(m, "bearer_methods_supported"), 0)),
		  "header");
	CHECK(json_array_size(json_object_get(m, "scopes_supported")) == 2);
	json_decref(m);
	CHECK_STR(rs_metadata_path(rs), "/.well-known/oauth-protected-resource/mcp");
	rs_free(rs);
}

static void test_static_tokens(void)
{
	char dir[] = "/tmp/test_rs.XXXXXX";
	struct err err;
	struct rs_verdict v;
	CHECK(mkdtemp(dir) != NULL);
	char *path = xasprintf("%s/tokens", dir);
	char *h1 = rs_token_hash("tok-alice"), *h2 = rs_token_hash("tok-bob");
	FILE *f = fopen(path, "w");
	fprintf(f, "# team tokens\n%s alice ops,finance\n\n%s bob\n", h1, h2);
	fclose(f);
	/* sha256 of "abc", FIPS 180-2. */
	char *abc = rs_token_hash("abc");
	CHECK_STR(abc, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	free(abc);
	chmod(path, 0644);
	char *text = xasprintf("{\"resource\": \"http://127.0.0.1:8080\", \"tokens_file\": \"%s\"}",
			       path);
	json_t *cfg = json_loads(text, 0, NULL);
	err_init(&err);
	CHECK(rs_new(cfg, NULL, NULL, &err) == NULL);
	CHECK(strstr(err.msg, "chmod 600") != NULL);
	chmod(path, 0600);
	err_init(&err);
	struct rs *rs = rs_new(cfg, NULL, NULL, &err);
	CHECK(rs != NULL);
	if (rs) {
		CHECK(status_at(rs, "tok-alice", NOW, &v) == 200);
		CHECK(v.caller && strcmp(v.caller->subject, "alice") == 0);
		CHECK(v.caller && json_array_size(v.caller->groups) == 2);
		rs_verdict_release(&v);
		CHECK(status_at(rs, "tok-bob", NOW, &v) == 200);
		CHECK(v.caller && strcmp(v.caller->subject, "bob") == 0);
		rs_verdict_release(&v);
		CHECK(refused(rs, "tok-carol", "not known") == 401);
		CHECK_STR(rs_metadata_url(rs),
			  "http://127.0.0.1:8080/.well-known/oauth-protected-resource");
		rs_free(rs);
	}
	json_decref(cfg);
	free(text);
	unlink(path);
	rmdir(dir);
	free(path);
	free(h1);
	free(h2);
}

static void test_config_errors(void)
{
	/* Each refused for its own reason: no issuer for the JWKS, a resource
	 * that is no absolute URI or has a fragment, a JWKS over plain http to
	 * another host, an unknown key, introspection without a client, and
	 * no way to check a token at all. */
	const char *bad[] = {
		"{'resource': 'https://mcp.test', 'jwks_uri': 'https://i.test/jwks'}",
		"{'resource': 'mcp.test', 'tokens_file': 'x'}",
		"{'resource': 'https://mcp.test#f', 'tokens_file': 'x'}",
		"{'resource': 'https://mcp.test', 'issuer': 'https://i', 'jwks_uri': "
		"'http://i/jwks'}",
		"{'resource': 'https://mcp.test', 'tokens_file': 'x', 'jwks_url': 'x'}",
		"{'resource': 'https://mcp.test', 'issuer': 'https://i', 'introspection_endpoint': "
		"'https://i/i'}",
		"{'resource': 'https://mcp.test'}",
	};
	const char *why[] = {"'issuer'",    "absolute",  "fragment",  "plain http",
			     "unknown key", "client_id", "'jwks_uri'"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err err;
		char *text = xstrdup(bad[i]);
		for (char *p = text; *p; p++)
			*p = *p == '\'' ? '"' : *p;
		json_t *cfg = json_loads(text, 0, NULL);
		free(text);
		err_init(&err);
		struct rs *rs = rs_new(cfg, NULL, NULL, &err);
		CHECK(rs == NULL && strstr(err.msg, why[i]));
		if (!strstr(err.msg, why[i]))
			fprintf(stderr, "config %zu: '%s' lacks '%s'\n", i, err.msg, why[i]);
		rs_free(rs);
		json_decref(cfg);
	}
}

static void test_crypto_keys(void)
{
	struct err err;
	unsigned char x[32], y[32], n[128], e[3] = {1, 0, 1}, sig[64];
	memset(x, 0x11, sizeof(x));
	memset(y, 0x22, sizeof(y));
	memset(n, 0xc5, sizeof(n));
	err_init(&err);
	CHECK(crypto_pubkey_p256(x, 32, y, 32, &err) == NULL); /* not on the curve */
	err_init(&err);
	CHECK(crypto_pubkey_p256(x, 31, y, 32, &err) == NULL);
	err_init(&err);
	CHECK(crypto_pubkey_rsa(n, sizeof(n), e, 3, &err) == NULL); /* 1024 bits */
	CHECK(strstr(err.msg, "2048") != NULL);
	memset(sig, 0, sizeof(sig));
	CHECK(crypto_pubkey_verify(NULL, CRYPTO_ES256, "m", 1, sig, 64) == 0);
}

int main(void)
{
	test_valid_tokens();
	test_refused_tokens();
	test_challenges();
	test_static_tokens();
	test_config_errors();
	test_crypto_keys();
	return t_done();
}
