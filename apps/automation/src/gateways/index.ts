export * from './leads.gateway';
export * from './calendar.gateway';
export * from './integrations.gateway';
