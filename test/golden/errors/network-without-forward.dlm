network n(d) {
  layer = Dense(d => d)
}
