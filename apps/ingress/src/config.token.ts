export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');
