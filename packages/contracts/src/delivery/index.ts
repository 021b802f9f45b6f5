export * from './delivery.models';
