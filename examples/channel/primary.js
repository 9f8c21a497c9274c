// Loaded in the primary (the `primary` config key): handlers that live there.
import { channel } from 'herd';

let shouts = 0;
channel.on('served', function (path) {
  shouts++;
  console.log(`primary: ${this.from.code} served ${path} (${shouts} shouts so far)`);
});
