import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small tmpfs that fault tests can fill to the last page (ENOSPC) and empty again. */
export interface SmallFilesystem {
  /** The mount point: files here live on the small filesystem. */
  readonly dir: string;
  /** Fills every free byte with a filler file, so any write that needs a new page fails with ENOSPC. */
  fill(): void;
  /** Removes the filler. */
  drain(): void;
  /** Unmounts and removes the mount point; every file on it must be closed first. */
  unmount(): void;
}

const FILLER = '.filler';

/**
 * Mounts a fresh tmpfs of `sizeBytes` (needs root, or CAP_SYS_ADMIN). Returns the reason as a string when
 * this system cannot mount one, so the caller decides between failing and skipping.
 */
export function mountSmallFilesystem(sizeBytes: number): SmallFilesystem | string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a tmpfs here: ${stderr || (error as Error).message}`;
  }
  const filler = join(dir, FILLER);
  return {
    dir,
    fill(): void {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 0xa5);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
    },
    drain(): void {
      rmSync(filler, { force: true });
    },
    unmount(): void {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
