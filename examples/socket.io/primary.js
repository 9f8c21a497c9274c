// Loaded by herd in the primary (the `primary` key): the cluster adapter's relay
// that carries broadcasts between workers.
import { setupPrimary } from '@socket.io/cluster-adapter';

setupPrimary();
