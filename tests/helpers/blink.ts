import type { Socket } from 'socket.io-client';

/**
 * Drops a Socket.IO client's transport (a network blink), runs `meanwhile` while it is away, and resolves with
 * `recovered` (connection state recovery replayed what it missed) once it is back.
 */
export async function blink(s: Socket<any, any>, meanwhile: () => void): Promise<boolean> {
  await new Promise<void>((r) => {
    s.once('disconnect', () => r());
    s.io.engine.close();
  });
  meanwhile();
  await new Promise<void>((r) => s.once('connect', () => r()));
  return s.recovered;
}
