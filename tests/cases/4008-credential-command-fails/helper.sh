#!/bin/sh
printf '{"headers": {"X-Leak": "leak-4008"}}'
exit 2
