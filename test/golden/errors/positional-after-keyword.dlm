y = Normal(0, 1, size = 3, 4)
