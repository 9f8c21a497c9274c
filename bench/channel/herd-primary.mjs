// Primary module for bench/channel/herd-app.mjs: counts worker → primary messages.
import { channel } from 'herd';

let expected = 0;
let got = 0;
channel.on('pexpect', (n) => {
  expected = n;
  got = 0;
});
channel.on('pm', function () {
  if (++got === expected) channel.emitTo(this.from.code, 'pdone');
});
