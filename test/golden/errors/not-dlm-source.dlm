// A JavaScript file given to dlm by mistake: a few errors, then one saying so
const express = require('express');
const app = express();

app.get('/', (req, res) => {
  res.send('hello');
});

function add(a, b) {
  return a + b;
}

let total = 0;
for (let i = 0; i < 10; i++) {
  total += add(i, i * 2);
}

if (total > 100 && total !== 0) {
  console.log(`total: ${total}`);
} else {
  console.error('small');
}

module.exports = { app, add };
