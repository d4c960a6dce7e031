/**
 * The API's MongoDB connection. No buffering: while MongoDB is unreachable a request fails at once into the
 * 503 path instead of waiting. Once a connection has been opened the driver reconnects on its own after an
 * outage; but when the very first attempt fails (MongoDB down while the API starts) nothing would ever try
 * again, and the API would answer 503 until restarted. So the first connection is retried in the background
 * every `retryMs` until it succeeds, while the API serves 503 meanwhile.
 */
import mongoose, { type Connection } from 'mongoose';

export interface ApiMongo {
  connection: Connection;
  /** Resolves once a connection has been opened (after however many attempts). */
  opened: Promise<void>;
  /** Stops retrying and closes the connection. */
  close(): Promise<void>;
}

export interface ApiMongoOptions {
  /** Pause between two attempts at the first connection (default 2 s). */
  retryMs?: number;
  /** How long an operation waits for a server before it fails (default 5 s). */
  serverSelectionTimeoutMS?: number;
  /** Called when an attempt fails and when the connection is opened after failed attempts. */
  log?: (event: { msg: string; attempt: number; err?: unknown }) => void;
}

export function openApiMongo(url: string, o: ApiMongoOptions = {}): ApiMongo {
  const retryMs = o.retryMs ?? 2000;
  const log = o.log ?? (() => undefined);
  const connection = mongoose.createConnection();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let attempt = 0;
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));

  const tryOpen = (): void => {
    timer = undefined;
    attempt += 1;
    // A fresh options object each time: mongoose takes its own options (bufferCommands) out of it.
    connection
      .openUri(url, { serverSelectionTimeoutMS: o.serverSelectionTimeoutMS ?? 5000, bufferCommands: false })
      .then(
        () => {
          if (attempt > 1) log({ msg: 'MongoDB connected after failed attempts', attempt });
          markOpened();
        },
        (err: unknown) => {
          if (closed) return;
          log({ msg: 'MongoDB not reachable; trying again', attempt, err });
          timer = setTimeout(tryOpen, retryMs);
          timer.unref();
        }
      );
  };
  tryOpen();

  return {
    connection,
    opened,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await connection.close();
    },
  };
}
