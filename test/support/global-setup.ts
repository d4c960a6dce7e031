import { startTestStack, type TestStack } from './stack';

declare global {
  var __cadreflowStack: TestStack | undefined;
}

export default async function globalSetup(): Promise<void> {
  const stack = await startTestStack();
  globalThis.__cadreflowStack = stack;
  // jest's workers are started after this and inherit the environment.
  Object.assign(process.env, stack.env);
}
