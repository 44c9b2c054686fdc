export * from './create-adapter.ts';
export * from './execution-adapter.ts';
export * from './paper-adapter.ts';
export * from './paper-matching.ts';
export * from './real-adapter.ts';
