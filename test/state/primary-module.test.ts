import { test } from 'node:test';
import { fixture, startHerd, tempDir } from '../helpers/herd.js';
import { primaryModule } from '../helpers/channel.js';

for (const mode of [['-w', '2'], ['--single']]) {
  test(`the primary module and the workers share one store and one lock table (${mode.join(' ')})`, async (t) => {
    const home = tempDir();
    const herd = await startHerd(t, [fixture('state-from-worker.js'), ...mode, ...primaryModule(home, 'state-primary.js')], { home });
    await herd.waitFor(/A sees load true$/m);
    await herd.waitFor(/primary sees A wrote count=2 from A$/m);
  });
}
