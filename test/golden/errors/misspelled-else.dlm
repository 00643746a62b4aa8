if x > 1 {
  y = 2
} esle {
  y = 3
}
