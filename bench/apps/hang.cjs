// /spin blocks the event loop for good (spinForever); anything else answers.
const http = require('node:http');

function spinForever() {
  for (;;);
}
const server = http.createServer((req, res) => {
  if (req.url === '/spin') spinForever();
  res.end('ok\n');
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
