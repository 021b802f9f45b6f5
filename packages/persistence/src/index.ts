export * from './database-url';
export * from './ensure-database';
export * from './data-source';
export * from './database.module';
export * from './cursor';
export * from './notified-cache';
export * from './pg-listener';
export * from './group-writer';
