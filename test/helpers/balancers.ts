// The balancer modes the key reload / crash / stop tests run in: herd's own
// accept path in each policy, and node's shared socket ('os').
export const BALANCERS = ['round-robin', 'least-connections', 'sticky', 'os'] as const;
