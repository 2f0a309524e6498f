/**
 * Session ids by subject. A subject with one session keeps that id itself; only a subject with several gets a
 * `Set` (about 100 bytes more), so a store of single-session subjects pays one map entry per session.
 */
export class SubjectIndex {
  readonly #bySubject = new Map<string, string | Set<string>>();

  add(subject: string, id: string): void {
    const current = this.#bySubject.get(subject);
    if (current === undefined) this.#bySubject.set(subject, id);
    else if (typeof current === 'string') {
      if (current !== id) this.#bySubject.set(subject, new Set([current, id]));
    } else current.add(id);
  }

  delete(subject: string, id: string): void {
    const current = this.#bySubject.get(subject);
    if (current === undefined) return;
    if (typeof current === 'string') {
      if (current === id) this.#bySubject.delete(subject);
      return;
    }
    current.delete(id);
    if (current.size === 1) this.#bySubject.set(subject, current.values().next().value as string);
  }

  /** The subject's session ids (a copy: safe to remove sessions while walking it). */
  idsOf(subject: string): string[] {
    const current = this.#bySubject.get(subject);
    if (current === undefined) return [];
    return typeof current === 'string' ? [current] : [...current];
  }

  clear(): void {
    this.#bySubject.clear();
  }
}
