import type { Server } from 'restify';
import type { App } from '../index';
import { attachDirectLine } from './directLine/gateway';
import { attachWeChat } from './wechat/gateway';

/** A channel gateway attached to the HTTP server. */
export interface ChannelGateway {
  /** Stops timers and closes open streams; called on shutdown before the database closes. */
  close(): Promise<void>;
}

/**
 * Attaches the channels the service hosts itself to the HTTP server: the Direct Line endpoint behind the customer web
 * chat, and the WeChat Official Account callback. Each uses the app's adapter, turn logic and internal channel plumbing
 * (bot/channels/internal.ts).
 */
export async function attachChannels(app: Omit<App, 'listen' | 'close'>, server: Server): Promise<ChannelGateway[]> {
  const gateways: ChannelGateway[] = [];
  gateways.push(await attachDirectLine(app, server));
  // Without WECHAT_* settings there is no /wechat route at all: restify answers 404.
  if (app.config.wechat) gateways.push(attachWeChat(app, server, { config: app.config.wechat }));
  return gateways;
}
