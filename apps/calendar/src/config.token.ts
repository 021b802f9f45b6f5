export const CALENDAR_CONFIG = Symbol('CALENDAR_CONFIG');
