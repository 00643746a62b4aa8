# characters that are not the language's, and an unclosed `[`
x = 3 $ 4
y = a & b
z = [1, 2, 3
w = `name`
