// herd's `primary` module for the socket.io bench: the cluster adapter's relay.
import { setupPrimary } from '@socket.io/cluster-adapter';

setupPrimary();
