export { DBSC_DATA_KEY, DeviceBoundSessions, type DeviceBoundSessionsOptions } from './device-sessions.js';
