export * from './leads.gateway';
export * from './calendar.gateway';
