import { LeadsInit1795388567829 } from './1795388567829-LeadsInit';

/** Every migration of the leads schema, in order. Generated; never edit one that has landed. */
export const LEADS_MIGRATIONS = [LeadsInit1795388567829];
