# an unterminated string, an include without a string, an extra `)`, a missing `)`
include "common.dlm
include helpers
x = f(1, 2))
y = g((3)
z = 4
