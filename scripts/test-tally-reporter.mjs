// A node:test reporter, run in the test runner's own process beside `spec`: it writes one JSON line each time a
// test or suite is dequeued (about to run) or ends, with the file it belongs to. scripts/run-tests.mjs reads the lines to
// count what each file reported and, if the run has to be stopped, to name the tests still running.

/** @param {AsyncIterable<{ type: string, data: Record<string, any> }>} source */
export default async function* tallyReporter(source) {
  for await (const event of source) {
    const { type, data } = event;
    if (type !== 'test:dequeue' && type !== 'test:pass' && type !== 'test:fail') continue;
    const line = { event: type.slice(5), file: data.file ?? null, name: data.name, nesting: data.nesting };
    if (type !== 'test:dequeue') {
      line.suite = data.details?.type === 'suite';
      line.skip = data.skip !== undefined && data.skip !== false;
      line.todo = data.todo !== undefined && data.todo !== false;
    }
    yield `${JSON.stringify(line)}\n`;
  }
}
