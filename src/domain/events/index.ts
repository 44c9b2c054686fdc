export * from './channels.ts';
export * from './catalog.ts';
export * from './factory.ts';
export * from './ids.ts';
export * from './sink.ts';
