export const LEADS_CONFIG = Symbol('LEADS_CONFIG');
