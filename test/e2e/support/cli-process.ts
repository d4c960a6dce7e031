/**
 * The `cadreflow` CLI run from sources as its own process, as a person or a script would run it, against
 * the API at `url`. `home` is where its sign-in is kept (XDG_CONFIG_HOME defaults to it); the environment is
 * otherwise empty but for PATH, so nothing of the test's own leaks in.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../tools/stack/binaries';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  url: string;
  home: string;
  /** XDG_CONFIG_HOME (default: `home`). */
  configHome?: string;
  env?: Record<string, string>;
}

export function runCli(args: string[], o: CliOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'client', 'cli', 'main.ts'), ...args], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: o.home,
        XDG_CONFIG_HOME: o.configHome ?? o.home,
        CADREFLOW_URL: o.url,
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
