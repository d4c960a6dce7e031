export default async function globalTeardown(): Promise<void> {
  await globalThis.__cadreflowStack?.stop();
  globalThis.__cadreflowStack = undefined;
}
