import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** This process's runtime and version, for error messages: `Node 20.20.2`, `Bun 1.4.5`, `Deno 2.9.6`. */
export function runtimeName(): string {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (versions.bun !== undefined) return `Bun ${versions.bun}`;
  if (versions.deno !== undefined) return `Deno ${versions.deno}`;
  return `Node ${versions.node}`;
}

/** Which runtime this is (Bun and Deno also report a Node version, so they are tested first). */
export function runtimeKind(): 'bun' | 'deno' | 'node' {
  const versions = process.versions as NodeJS.ProcessVersions & { bun?: string; deno?: string };
  if (versions.bun !== undefined) return 'bun';
  if (versions.deno !== undefined) return 'deno';
  return 'node';
}

/**
 * A runtime's built-in module (`node:sqlite`, `bun:sqlite`), loaded synchronously so the store's constructor
 * stays synchronous, or the error that says this runtime has none.
 */
export function loadBuiltin<T>(name: string): { module: T } | { error: unknown } {
  try {
    return { module: requireFromHere(name) as T };
  } catch (error) {
    return { error };
  }
}
