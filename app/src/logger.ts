import pino, { type Logger } from 'pino';

/** JSON lines on stdout (the awslogs driver ships them to CloudWatch Logs), ISO timestamps. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
