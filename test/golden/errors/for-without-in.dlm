for i 1:10 {
  x = i
}
