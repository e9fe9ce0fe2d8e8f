export * from './ssrf-catalogue';
