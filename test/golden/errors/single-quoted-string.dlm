d = read_csv('iris.csv')
