export * from './ssrf-guard';
export * from './http-sender';
export * from './webhook-signature';
export * from './form-body';
