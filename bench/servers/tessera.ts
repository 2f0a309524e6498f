/**
 * (c)/(d) Tessera on node:http: every request is validated through HttpSessions + authenticateNode, exactly as
 * an application would do it. `node tessera.ts memory` or `node tessera.ts sqlite` (a WAL file in a temp folder).
 * Plain HTTP on loopback needs the cookie's explicit development switch; everything else is the default.
 */
import { openStore, type StoreKind } from '../lib/stores.js';
import { serveTessera } from './tessera-app.js';

const kind = (process.argv[2] ?? 'memory') as StoreKind;
const opened = await openStore(kind);
serveTessera(opened.store, () => opened.close());
